"""Helpers for the I/O tests: exact folder snapshots, detached trees."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from templsync._core.tree import FileEntry, Tree

Snapshot = dict[str, tuple[str, int, bytes]]


def snapshot(root: Path) -> Snapshot:
    """Everything under ``root``, journal included: each path's kind, permissions and bytes."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            st = path.lstat()
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                found[rel] = ("symlink", 0, os.fsencode(path.readlink()))
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = ("folder", perm, b"")
            else:
                found[rel] = ("file", perm, path.read_bytes())
    return found


def detached(tree: Tree) -> Tree:
    """``tree`` with every content loaded into memory, so it no longer depends on the disk."""
    return Tree({p: FileEntry.from_bytes(e.content(), e.mode) for p, e in tree.items()})


def folders(root: Path) -> set[str]:
    """Every folder under ``root``, as relative POSIX paths."""
    return {
        (Path(folder) / name).relative_to(root).as_posix()
        for folder, dirs, _ in os.walk(root)
        for name in dirs
    }


HELPERS_DIR = str(Path(__file__).parent)
PYTHON = sys.executable
