"""The writer's second way in: a whole Tree written as a new folder, all of it or nothing.

When the target does not exist yet, there is nothing to back up and nothing to replace file by
file: every file (and every empty folder asked for) is written into a hidden folder beside the
target, made durable with one sync
of the file system, and the folder is renamed into place in one step. An existing folder, even
an empty one, is never replaced this way: it may be a shell's working folder (``copy .``), which
would be left pointing at the removed folder. A crash before the rename leaves no target and a
hidden ``.<name>.templsync-<token>`` folder beside it, safe to delete; after it, the whole tree.
The writer holds a lock on its hidden folder while it works, so the next write of the same
target removes the ones left by a crash (unlocked, and untouched for a while) and no other.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

from templsync._core.tree import FileEntry, Mode, Tree, parent_dirs
from templsync._io.fsutil import (
    SYNCFS_FROM,
    can_sync_filesystem,
    fsync_dir,
    lstat_or_none,
    remove_tree,
    sync_filesystem,
)
from templsync._io.hashing import changed_error
from templsync._io.threads import for_each
from templsync.errors import WriteError
from templsync.progress import Progress, no_progress

_PROGRESS_EVERY = 256  # files written between two progress reports (stage "files")
_STALE_AFTER = 10.0  # seconds untouched before an unlocked hidden folder counts as left behind
_STAGING = re.compile(r"\.templsync-[0-9a-f]{12}")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def can_write_new_folder(target: Path) -> bool:
    """Whether ``target`` is missing and its folder exists."""
    return lstat_or_none(target) is None and target.parent.is_dir()


def write_new_folder(
    target: Path,
    tree: Tree,
    progress: Progress = no_progress,
    perms: Mapping[str, int] | None = None,
    *,
    folders: Iterable[str] = (),
) -> int:
    """Write ``tree`` as the new folder ``target`` (see :func:`can_write_new_folder`), with the
    empty ``folders`` (and their parents) made too; returns the number of files written.

    Files get the umask's permission bits, or exactly those ``perms`` gives for their path.

    Raises :class:`WriteError` (nothing made at ``target``, e.g. when something appeared there
    meanwhile) or ``ChangedDuringRunError`` when a file's content no longer matches its digest.
    """
    target = target.absolute()
    remove_left_behind(target)
    staging = target.parent / f".{target.name}.templsync-{secrets.token_hex(6)}"
    lock = None
    try:
        staging.mkdir()
        lock = os.open(staging, _DIR_FLAGS)
        with contextlib.suppress(OSError):  # a file system without locks: the age check stays
            fcntl.flock(lock, fcntl.LOCK_EX)  # held until the folder is in place (or removed)
        made = _folders(tree, folders)
        _fill(staging, tree, made, progress, perms or {})
        _make_durable(staging, tree, made)
        _rename_no_replace(staging, target)
        fsync_dir(target.parent)
    except BaseException as err:
        remove_tree(staging)
        if lock is not None:
            os.close(lock)
        if isinstance(err, OSError):
            where = os.fsdecode(err.filename) if err.filename else str(target)
            raise WriteError(
                f"could not write {where!r}: {err.strerror or err}. Nothing was changed at "
                f"{str(target)!r}."
            ) from err
        raise
    os.close(lock)
    return len(tree)


def remove_left_behind(target: Path) -> list[str]:
    """Remove the hidden folders that crashed writes of ``target`` left beside it; their names.

    One is left behind when no writer holds its lock and it has not changed for a while (a
    writer takes the lock right after making its folder); anything else beside the target is
    left alone, and a folder that cannot be removed is skipped.
    """
    prefix = f".{target.name}"
    removed: list[str] = []
    try:
        names = [p.name for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    for name in names:
        if _STAGING.fullmatch(name, len(prefix)) and _left_behind(target.parent / name):
            removed.append(name)
    return removed


def _left_behind(path: Path) -> bool:
    """Whether ``path`` was left by a crashed writer; if so it is removed."""
    try:
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or time.time() - st.st_mtime < _STALE_AFTER:
            return False
        fd = os.open(path, _DIR_FLAGS)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False  # a writer is at work in it
    try:
        with contextlib.suppress(OSError):
            remove_tree(path)
        return not os.path.lexists(path)
    finally:
        os.close(fd)


def _folders(tree: Tree, empty: Iterable[str]) -> list[str]:
    """Every folder to make, shallowest first: the files' and the empty ones, with parents."""
    found = {d for path in tree for d in parent_dirs(path)}
    for folder in empty:
        found.add(folder)
        found.update(parent_dirs(folder))
    return sorted(found, key=lambda d: d.count("/"))


def _fill(
    root: Path, tree: Tree, folders: list[str], progress: Progress, perms: Mapping[str, int]
) -> None:
    for folder in folders:
        (root / folder).mkdir()
    base = os.fspath(root) + "/"
    total = len(tree)
    # One thread: creating files side by side measured slower.
    for done, (path, entry) in enumerate(tree.items(), 1):
        _write(base + path, path, entry, perms.get(path))
        if not done % _PROGRESS_EVERY or done == total:
            progress("files", done, total)


def _write(full: str, rel: str, entry: FileEntry, perm: int | None) -> None:
    data = entry.verified_content()
    if data is None:
        raise changed_error(rel, "has new content that no longer matches what was planned")
    if entry.mode is Mode.SYMLINK:
        Path(full).symlink_to(os.fsdecode(data))
        return
    fd = os.open(full, _CREATE, 0o777 if entry.mode is Mode.EXECUTABLE else 0o666)
    try:
        if perm is not None:
            os.fchmod(fd, perm)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _make_durable(root: Path, tree: Tree, made: list[str]) -> None:
    """Every file and folder under ``root`` on disk: one ``syncfs`` on Linux for many files, else
    one by one (see :mod:`templsync._io.fsutil`)."""
    if len(tree) >= SYNCFS_FROM and can_sync_filesystem():
        sync_filesystem(root)
        return
    base = os.fspath(root) + "/"
    files = [base + p for p, e in tree.items() if e.mode is not Mode.SYMLINK]
    for_each(_fsync_file, files)
    for folder in [root, *(root / d for d in made)]:
        fsync_dir(folder)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_AT_FDCWD = -100
_RENAME_NOREPLACE = 1  # renameat2's flag: fail with EEXIST when the target exists


def _rename_no_replace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` unless something is there (a plain rename would replace
    an empty folder): Linux's ``renameat2(RENAME_NOREPLACE)`` in one step, else check, then
    rename."""
    renameat2 = _renameat2()
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, bytes(source), _AT_FDCWD, bytes(target), _RENAME_NOREPLACE) == 0:
            return
        code = ctypes.get_errno()
        if code == errno.EEXIST:
            raise _appeared(target)
        if code not in (errno.EINVAL, errno.ENOSYS):  # else: this file system cannot do it
            raise OSError(code, os.strerror(code), str(target))
    if os.path.lexists(target):
        raise _appeared(target)
    source.rename(target)


def _appeared(target: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, "it appeared while the folder was written", str(target))


@cache
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # not Linux, an older C library, or none to ask
        return None
    path, fd = ctypes.c_char_p, ctypes.c_int
    function.argtypes = [fd, path, fd, path, ctypes.c_uint]
    function.restype = ctypes.c_int
    renameat2: Callable[[int, bytes, int, bytes, int], int] = function
    return renameat2
