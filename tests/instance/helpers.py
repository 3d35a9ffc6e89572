"""Templates on disk for the copy tests: folders, tagged git repositories, and Copier's copy."""

from __future__ import annotations

import subprocess
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from templsync._core.tree import Tree
from templsync._io import read_tree
from testing.trees import build_tree

ANSWERS_JINJA = {
    "{{ _copier_conf.answers_file }}.jinja": (
        "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def tagged_repo(root: Path, versions: Mapping[str, Mapping[str, str | bytes]]) -> Path:
    """A repository with one commit per version (files added on top), each tagged."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    for tag, files in versions.items():
        build_tree(root, files)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", tag)
        git(root, "tag", tag)
    return root


def copier_copy(src: str, dst: Path, data: Mapping[str, Any] | None = None, **kw: Any) -> Tree:
    """Copy with Copier (defaults, trusted, quiet) and read what it wrote."""
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            src, str(dst), data=dict(data or {}), defaults=True, unsafe=True, quiet=True, **kw
        )
    return read_tree(dst)


def snapshot(root: Path) -> dict[str, tuple[str, bytes]]:
    """Every file under ``root`` with its mode and bytes (nothing at all: {})."""
    if not root.exists():
        return {}
    return {p: (e.mode.label, e.content()) for p, e in sorted(read_tree(root).items())}


def worktree_snapshot(root: Path) -> dict[str, tuple[str, bytes]]:
    """:func:`snapshot` without the ``.git`` folder."""
    return {p: v for p, v in snapshot(root).items() if p != ".git" and not p.startswith(".git/")}
