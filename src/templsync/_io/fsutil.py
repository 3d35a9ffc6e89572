"""Small durable file-system steps shared by the journal and the writer.

Many files or folders are made durable with one ``syncfs(2)`` of their file system (Linux)
rather than one ``fsync`` each: from :data:`SYNCFS_FROM` files (:data:`SYNCFS_FOLDERS_FROM`
folders) on, that is the cheaper of the two (it also flushes whatever else is waiting on that
file system, which costs more than a few fsyncs when another program is writing a lot). Fewer
are fsynced one each, from :data:`FSYNC_PARALLEL_FROM` on by threads at once.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from templsync._io.threads import for_each

SYNCFS_FROM = 256
"""From this many files on, one ``syncfs`` makes them durable, where there is one."""
SYNCFS_FOLDERS_FROM = 16
"""From this many folders on, likewise: every folder's ``fsync`` flushes the disk's cache (about
2 ms each here, one after the other), where one ``syncfs`` of the renames alone takes a few ms."""
FSYNC_PARALLEL_FROM = 4
"""Fewer files and folders than that, from this many on, are fsynced from threads at once: the
file system commits concurrent fsyncs together. It is the same on an idle disk, and much
faster on a busy one (docs/writer.md: a plan of 10 writes and 5 deletions, 100 ms -> 40 ms)."""

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def fsync_dir(path: Path) -> None:
    """Make the entries of the folder ``path`` (creations, renames, removals) durable."""
    fd = os.open(path, _DIR_FLAGS)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dirs(paths: Iterable[Path], *, at_once: bool = True) -> None:
    """:func:`fsync_dir` every folder of ``paths`` that still exists (from threads at once, from
    :data:`FSYNC_PARALLEL_FROM` on, unless ``at_once`` is false)."""
    folders = sorted(set(paths))
    if not at_once:
        for folder in folders:
            fsync_dir_if_present(folder)
        return
    for_each(fsync_dir_if_present, folders, parallel_from=FSYNC_PARALLEL_FROM)


def fsync_dir_if_present(path: Path) -> None:
    """:func:`fsync_dir`, unless ``path`` is gone or a file now (nothing of ours to sync)."""
    try:
        fsync_dir(path)
    except (FileNotFoundError, NotADirectoryError):
        return


def fsync_file(path: Path | str) -> None:
    """Make the content of the file ``path`` durable (one written without ``sync``)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_file(
    path: Path | str, data: bytes, perm: int = 0o666, *, exact: bool = False, sync: bool = True
) -> None:
    """Create ``path`` (which must not exist) with ``data``, fsynced unless ``sync`` is false
    (the caller then makes it durable, e.g. with :func:`sync_filesystem`).

    ``perm`` is masked by the umask as ``open(2)`` does, unless ``exact`` asks for exactly ``perm``.
    """
    fd = os.open(path, _CREATE_FLAGS, perm)
    try:
        if exact:
            os.fchmod(fd, perm)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def can_sync_filesystem() -> bool:
    """Whether :func:`sync_filesystem` can work here (Linux's ``syncfs(2)`` is there)."""
    return _syncfs() is not None


def sync_filesystem(folder: Path) -> None:
    """Make everything written to the file system holding ``folder`` durable: file contents,
    new names, renames and removals, in one ``syncfs(2)``. Raises ``OSError`` (a write-back
    error included) or, where there is no ``syncfs``, ``NotImplementedError``: check
    :func:`can_sync_filesystem` first."""
    syncfs = _syncfs()
    if syncfs is None:
        raise NotImplementedError("syncfs(2) is not available here")
    import ctypes  # noqa: PLC0415  # loaded by _syncfs already

    fd = os.open(folder, _DIR_FLAGS)
    try:
        if syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), os.fspath(folder))
    finally:
        os.close(fd)


def sync_folders(folders: Iterable[Path], root: Path, *, plan_size: int = 0) -> None:
    """Make the entries of ``folders`` durable (creations, renames, removals in them): one
    ``fsync`` each, or one ``syncfs`` of the file system holding ``root`` when there are many.

    The fsyncs run from threads at once only for a small plan (``plan_size`` operations, fewer
    than :data:`SYNCFS_FROM`): a large sync lands as hundreds of big plans, and threads started
    for each of them kept about 30 MiB more of the process resident (a 100,000-file sync's peak
    97 -> 127 MiB) for no gain there."""
    folders = set(folders)
    if len(folders) >= SYNCFS_FOLDERS_FROM and can_sync_filesystem():
        sync_filesystem(root)
    else:
        fsync_dirs(folders, at_once=plan_size < SYNCFS_FROM)


@cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux's ``syncfs(2)``: everything of one file system made durable, in one call."""
    import ctypes  # noqa: PLC0415  # 1.5 ms, when many files are written

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):  # not Linux, or no C library to ask
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    syncfs: Callable[[int], int] = function
    return syncfs


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file, fsync, rename, fsync of the folder."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    write_new_file(tmp, data, 0o644)
    tmp.replace(path)
    fsync_dir(path.parent)


def read_to_end(fd: int) -> bytes:
    """Everything left to read from the open file ``fd`` (a file, a pipe), in 1 MiB reads."""
    parts: list[bytes] = []
    while chunk := os.read(fd, 1 << 20):
        parts.append(chunk)
    return b"".join(parts)


def lstat_or_none(path: Path) -> os.stat_result | None:
    """``lstat`` of ``path``, or None when nothing can be there (missing, or a parent is a file)."""
    try:
        return path.lstat()
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
            return None
        raise


def is_real_dir(st: os.stat_result | None) -> bool:
    return st is not None and stat.S_ISDIR(st.st_mode)


def unlink_if_present(path: Path) -> None:
    """Remove the file or symlink at ``path`` if there is one (never a folder)."""
    st = lstat_or_none(path)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        path.unlink(missing_ok=True)


def remove_tree(path: Path) -> None:
    """Remove the folder ``path`` and everything in it, without following symlinks."""
    st = lstat_or_none(path)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        path.unlink(missing_ok=True)
        return
    with os.scandir(path) as it:
        children = [Path(entry.path) for entry in it]
    for child in children:
        remove_tree(child)
    path.rmdir()
