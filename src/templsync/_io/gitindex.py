"""What a write tells the git index: conflicts as unmerged paths, mode changes git cannot see.

After a merge that left conflicts, each conflicted path gets the three stages git itself
writes for a conflicted merge: 1 the base, 2 ours (the instance), 3 theirs (the template);
a side that has no file at that path has no stage. ``git add`` or ``git checkout`` then
resolves them as after any ``git merge``.

With ``core.fileMode`` false (Windows' default, and a common opt-out elsewhere) git reads no
executable bit from the disk: it keeps the index's. So, as Copier's
``_sync_git_index_executable_bit`` does, an executable bit a write changed is put in the index
entry of a tracked file (its blob unchanged: content changes stay unstaged), and the ours stage
of a conflict carries the mode the file was written with, which ``git add`` then keeps. With
``core.fileMode`` true (the default) the index is left to git, which sees the disk.

Those index writes come after the files are written, so :func:`check_index` asks
everything they need before a command writes anything: the index can be read, no other git
process holds ``index.lock``, the git folder (and the index) can be written, and no path of
the instance's folder is already unmerged (an earlier merge's conflicts, not yet resolved,
which a conflict recorded now would collide with).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import FileMode

from templsync._core.tree import FileEntry, Mode
from templsync._io.gitrepo import GitRepo
from templsync.errors import UserError

__all__ = [
    "ConflictStages",
    "GitIndexError",
    "check_index",
    "file_mode_trusted",
    "record_conflicts",
    "stage_exec_bits",
]

_SHOWN_PATHS = 5


class GitIndexError(UserError):
    """git's index cannot take the write a command would end with."""


_EXEC = {Mode.REGULAR: FileMode.BLOB, Mode.EXECUTABLE: FileMode.BLOB_EXECUTABLE}


@dataclass(frozen=True)
class ConflictStages:
    """One conflicted path (relative to the repository's top) and its three versions."""

    path: str
    base: FileEntry | None
    ours: FileEntry | None
    theirs: FileEntry | None
    written: Mode | None = None
    """The mode of the file written with the conflict markers."""


def file_mode_trusted(repo: GitRepo) -> bool:
    """git's ``core.fileMode``: whether git reads executable bits from the disk (default yes)."""
    try:
        return bool(repo.repo.config.get_bool("core.fileMode"))
    except (KeyError, pygit2.GitError):
        return True


def stage_exec_bits(repo: GitRepo, modes: Mapping[str, Mode]) -> tuple[str, ...]:
    """With ``core.fileMode`` false: give each tracked file of ``modes`` (paths relative to the
    repository's top) its executable bit in the index, keeping its blob; the paths changed.

    Untracked files, symlinks and unmerged paths are left alone, as by Copier.
    """
    if file_mode_trusted(repo):
        return ()
    index = repo.repo.index
    index.read()
    changed: list[str] = []
    for path, mode in sorted(modes.items()):
        wanted = _EXEC.get(mode)
        try:
            entry = index[path]
        except KeyError:
            continue
        if wanted is None or entry.mode not in _EXEC.values() or entry.mode == wanted:
            continue
        index.add(pygit2.IndexEntry(path, entry.id, wanted))
        changed.append(path)
    if changed:
        index.write()
    return tuple(changed)


def record_conflicts(repo: GitRepo, conflicts: Sequence[ConflictStages]) -> None:
    """Write the blobs of every stage and mark each path unmerged in the index.

    Each stage has its own side's mode, as ``git merge`` writes them; with ``core.fileMode``
    false the ours stage has the mode the file was written with (see the module's rules).
    """
    if not conflicts:
        return
    git = repo.repo
    trusted = file_mode_trusted(repo)
    index = git.index
    index.read()
    for c in conflicts:
        ours = c.ours
        written = c.written
        if not trusted and ours is not None and not ours.is_symlink and written in _EXEC:
            assert written is not None  # a key of _EXEC
            ours = ours.with_mode(written)
        stages = [
            None
            if e is None
            else pygit2.IndexEntry(c.path, git.create_blob(e.content()), FileMode(int(e.mode)))
            for e in (c.base, ours, c.theirs)
        ]
        if c.path in index:
            index.remove(c.path)
        index.add_conflict(stages[0], stages[1], stages[2])
    index.write()


def check_index(repo: GitRepo, where: str, subdir: str = "", *, writing: bool = True) -> None:
    """Raise :class:`GitIndexError` unless ``repo``'s index can be read and, when ``writing``,
    a write can end by updating it.

    ``where`` names the working tree in messages; ``subdir`` is the instance's folder in the
    repository: only its unmerged paths count.
    """
    git_dir = Path(repo.repo.path)
    index_path = git_dir / "index"
    try:
        index = repo.repo.index
        index.read()
    except pygit2.GitError as err:
        raise GitIndexError(
            f"git's index {index_path} cannot be read ({err}). Nothing was written. "
            "`git status` says more; `git reset` rebuilds a damaged index from the last commit "
            "(your files are left as they are)."
        ) from err
    if not writing:
        return
    if (git_dir / "index.lock").exists():
        raise GitIndexError(
            f"{git_dir / 'index.lock'} exists: another git command is running in {where}, or "
            "one stopped half-way. Nothing was written. Wait for it to finish; if no git "
            "command is running, remove that file and run the command again."
        )
    for path, what in ((git_dir, "git folder"), (index_path, "index")):
        if path.exists() and not os.access(path, os.W_OK):
            raise GitIndexError(
                f"the {what} {path} cannot be written by this user, so git's index could "
                "not record the result. Nothing was written. Run the command as the "
                "repository's owner, or give yourself write access to it."
            )
    prefix = f"{subdir}/" if subdir else ""
    unmerged = sorted(
        {
            entry.path
            for stages in (index.conflicts or ())
            for entry in stages
            if entry is not None and entry.path.startswith(prefix)
        }
    )
    if unmerged:
        shown = ", ".join(unmerged[:_SHOWN_PATHS]) + (
            ", ..." if len(unmerged) > _SHOWN_PATHS else ""
        )
        raise GitIndexError(
            f"{len(unmerged)} path(s) of {where} are unmerged in git's index (conflicts not "
            f"resolved yet): {shown}. Nothing was written. Resolve them and `git add` them "
            "(or `git checkout HEAD -- PATH` to drop a side), then run the command again."
        )
