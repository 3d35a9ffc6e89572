"""Playing a journal record forward (finish the plan) or backward (restore the backups).

Both directions are idempotent: each step looks at what is on disk and does only what is left, so
either can be interrupted at any point and run again from the start. Both raise ``OSError``; the
caller decides what that means.

A folder the plan created (``created_dirs``: missing when the plan was checked) is removed by a
roll back only when it is empty again; one that holds something else by then is left.

Neither ever goes through a symlink: before a path is changed, every folder above it must be a real
folder. Forward, anything else is an error; backward, a path behind a non-folder cannot hold
anything this plan wrote, so it is left alone.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from pathlib import Path

from templsync._core.plan import OpKind
from templsync._core.tree import parent_dirs
from templsync._io.fsutil import is_real_dir, lstat_or_none, sync_folders, unlink_if_present
from templsync._io.journal import TEMP_PREFIX, Record
from templsync._io.prepare import save_copy
from templsync._io.statcache import Signature


def _behind_real_dirs(root: Path, rel: str) -> bool:
    return all(is_real_dir(lstat_or_none(root / d)) for d in parent_dirs(rel))


def _require_real_dirs(root: Path, rel: str) -> None:
    for folder in parent_dirs(rel):
        if not is_real_dir(lstat_or_none(root / folder)):
            raise NotADirectoryError(
                errno.ENOTDIR, f"{folder!r} is not a real folder", os.fspath(root / rel)
            )


def _rename(source: Path | str, target: Path | str) -> None:
    """``os.replace``, with errors naming the target (the path the person knows), not the temp."""
    try:
        os.replace(source, target)  # noqa: PTH105  # strings: a Path per file costs 10 us
    except OSError as err:
        raise type(err)(err.errno, err.strerror, os.fspath(target)) from err


def _untouched(st: os.stat_result, old: Signature | None) -> bool:
    """Whether ``st`` is still the old file itself (its mode aside, which a chmod may have set)."""
    return old is not None and (st.st_mtime_ns, st.st_size, st.st_ino) == old[:3]


def _touched_folders(root: Path, record: Record) -> set[Path]:
    rels = {posixpath.dirname(jop.path) for jop in record.ops}
    rels.update(posixpath.dirname(jop.temp) for jop in record.ops if jop.temp is not None)
    rels.update(posixpath.dirname(d) for d in record.created_dirs)
    rels.update(posixpath.dirname(d) for d, _ in record.removed_dirs)
    return {root / rel if rel else root for rel in rels}


class _RealDirs:
    """Which folders on the way to a path are real folders, each looked at once per pass: the
    pass itself never turns a folder it checked into anything else (it removes only emptied
    folders, which hold none of its writes)."""

    def __init__(self, root: Path) -> None:
        self.base = os.fspath(root) + "/"
        self.real: set[str] = set()

    def require(self, rel: str) -> None:
        unchecked = []
        for folder in parent_dirs(rel):
            if folder in self.real:
                break  # and so are the ones above it
            unchecked.append(folder)
        for folder in unchecked:
            if not is_real_dir(_lstat_or_none(self.base + folder)):
                raise NotADirectoryError(
                    errno.ENOTDIR, f"{folder!r} is not a real folder", self.base + rel
                )
        self.real.update(unchecked)


def _lstat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
            return None
        raise


def roll_forward(root: Path, record: Record) -> None:
    """Finish the plan: deletions, emptied folders, new folders, renames, mode changes."""
    for jop in record.ops:
        # Behind anything but real folders, the path cannot hold the file to delete (gone already).
        if jop.kind is OpKind.DELETE and _behind_real_dirs(root, jop.path):
            unlink_if_present(root / jop.path)  # a folder here is one this plan already made
    for folder, _ in record.removed_dirs:
        path = root / folder
        if _behind_real_dirs(root, folder) and is_real_dir(lstat_or_none(path)):
            try:
                path.rmdir()
            except OSError as err:
                # Someone else put a file there: keep it. A write to this path will then fail.
                if err.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
                    raise
    for folder in record.created_dirs:
        _require_real_dirs(root, folder)
        path = root / folder
        if not is_real_dir(lstat_or_none(path)):
            path.mkdir()
    dirs = _RealDirs(root)
    base = dirs.base
    for jop in record.ops:
        if jop.kind is OpKind.WRITE and jop.temp is not None:
            temp = base + jop.temp
            if _lstat_or_none(temp) is not None:  # else renamed by an earlier attempt
                dirs.require(jop.path)
                _rename(temp, base + jop.path)
        elif jop.kind is OpKind.CHMOD and jop.new_perm is not None:
            dirs.require(jop.path)
            path = root / jop.path
            if stat.S_ISREG(path.lstat().st_mode):
                path.chmod(jop.new_perm)
    sync_folders(_touched_folders(root, record), root, plan_size=len(record.ops))


def discard_temps(root: Path, record: Record) -> None:
    """Remove the temp files of a run that did not reach its commit point."""
    for jop in record.ops:
        if jop.temp is not None and _behind_real_dirs(root, jop.temp):
            unlink_if_present(root / jop.temp)


def roll_back(root: Path, record: Record) -> None:
    """Put back what was there before the plan, from the backups, whatever was done already."""
    for jop in record.ops:
        if jop.kind is OpKind.WRITE and jop.backup is None and _behind_real_dirs(root, jop.path):
            unlink_if_present(root / jop.path)  # a file this plan created
    discard_temps(root, record)
    for folder in reversed(record.created_dirs):
        path = root / folder
        if _behind_real_dirs(root, folder) and is_real_dir(lstat_or_none(path)):
            try:
                path.rmdir()
            except OSError as err:
                # Someone else put something there since: it is theirs, so the folder stays.
                if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
    for folder, perm in reversed(record.removed_dirs):
        _require_real_dirs(root, folder)
        path = root / folder
        if not is_real_dir(lstat_or_none(path)):
            path.mkdir()
            path.chmod(perm)
    for i, jop in enumerate(record.ops):
        if jop.backup is None:
            continue
        _require_real_dirs(root, jop.path)
        target = root / jop.path
        now = lstat_or_none(target)
        if now is None or not _untouched(now, jop.old_sig):
            staged = target.with_name(f"{TEMP_PREFIX}{record.token}-r{i}")
            unlink_if_present(staged)
            save_copy(root / jop.backup, staged)
            _rename(staged, target)
        if jop.old_perm is not None and stat.S_IMODE(target.lstat().st_mode) != jop.old_perm:
            target.chmod(jop.old_perm)
    sync_folders(_touched_folders(root, record), root, plan_size=len(record.ops))
