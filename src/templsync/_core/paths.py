"""Relative POSIX paths as trees and listings hold them (``a/b/c``): their folders.

It lives apart from :mod:`~templsync._core.tree` so that ignore rules, which a folder walk
checks, need no tree classes built first.
"""

from __future__ import annotations

from collections.abc import Iterator


def parent_dirs(path: str) -> Iterator[str]:
    """Yield the folders that contain ``path``, nearest first (``a/b/c`` -> ``a/b``, ``a``)."""
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        yield path
