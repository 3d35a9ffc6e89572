"""Build real folders and Trees for tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from templsync._core.tree import Mode, Tree


def build_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``{path: text}`` under ``root`` (created if missing) and return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def write_tree(root: Path, tree: Tree) -> Path:
    """Write every entry of ``tree`` under ``root`` (modes and symlinks included)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, entry in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry.mode is Mode.SYMLINK:
            path.symlink_to(entry.content().decode())
            continue
        path.write_bytes(entry.content())
        path.chmod(0o755 if entry.mode is Mode.EXECUTABLE else 0o644)
    return root
