"""Conflicts recorded in a git index, so ``git status`` shows them as unmerged paths.

After a merge that left conflicts, each conflicted path gets the three stages git itself
writes for a conflicted merge: 1 the base, 2 ours (the instance), 3 theirs (the template);
a side that has no file at that path has no stage. ``git add`` or ``git checkout`` then
resolves them as after any ``git merge``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pygit2
from pygit2.enums import FileMode

from templsync._core.tree import FileEntry
from templsync._io.gitrepo import GitRepo

__all__ = ["ConflictStages", "record_conflicts"]


@dataclass(frozen=True)
class ConflictStages:
    """One conflicted path (relative to the repository's top) and its three versions."""

    path: str
    base: FileEntry | None
    ours: FileEntry | None
    theirs: FileEntry | None


def record_conflicts(repo: GitRepo, conflicts: Sequence[ConflictStages]) -> None:
    """Write the blobs of every stage and mark each path unmerged in the index."""
    if not conflicts:
        return
    git = repo.repo
    index = git.index
    index.read()
    for c in conflicts:
        stages = [
            None
            if e is None
            else pygit2.IndexEntry(c.path, git.create_blob(e.content()), FileMode(int(e.mode)))
            for e in (c.base, c.ours, c.theirs)
        ]
        if c.path in index:
            index.remove(c.path)
        index.add_conflict(stages[0], stages[1], stages[2])
    index.write()
