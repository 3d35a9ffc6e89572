"""Conflict strategies: which side's version of a conflicting path wins, and what the loser of
``backup-both`` is called.

Rules this module keeps:

- ``remote-wins`` / ``local-wins``: that side's version (a deletion included) wins.
- ``newest-wins`` (and the winner of ``backup-both``): a modification beats a deletion (nothing
  is lost), else the later mtime wins; on a tie the local version wins.
- ``manual``: nobody wins; the path is left untouched on both sides.
- The loser of ``backup-both`` is kept as ``NAME.conflict-<side>-<timestamp>.EXT`` beside the
  path, a name no other path of either side uses.
"""

from __future__ import annotations

import posixpath
from collections.abc import Container

from templsync.storage.model import ConflictStrategy, Side, Stat


def winner(strategy: ConflictStrategy, local: Stat | None, remote: Stat | None) -> Side | None:
    """The side whose version wins a conflict (None: ``manual``, nobody)."""
    if strategy is ConflictStrategy.MANUAL:
        return None
    if strategy is ConflictStrategy.REMOTE_WINS:
        return Side.REMOTE
    if strategy is ConflictStrategy.LOCAL_WINS:
        return Side.LOCAL
    if local is None:
        return Side.REMOTE
    if remote is None:
        return Side.LOCAL
    return Side.LOCAL if local.mtime_ns >= remote.mtime_ns else Side.REMOTE


def conflict_name(path: str, loser: Side, stamp: str, taken: Container[str]) -> str:
    """``dir/NAME.conflict-<loser>-<stamp>.EXT`` for ``path``, made unique against ``taken``."""
    folder, name = posixpath.split(path)
    stem, ext = posixpath.splitext(name)
    if not stem:  # ".env": the whole name is the stem
        stem, ext = name, ""
    candidate = f"{stem}.conflict-{loser.value}-{stamp}{ext}"
    n = 1
    while posixpath.join(folder, candidate) in taken:
        n += 1
        candidate = f"{stem}.conflict-{loser.value}-{stamp}-{n}{ext}"
    return posixpath.join(folder, candidate)
