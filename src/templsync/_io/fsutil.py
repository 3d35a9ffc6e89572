"""Small durable file-system steps shared by the journal and the writer."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def fsync_dir(path: Path) -> None:
    """Make the entries of the folder ``path`` (creations, renames, removals) durable."""
    fd = os.open(path, _DIR_FLAGS)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dirs(paths: Iterable[Path]) -> None:
    """:func:`fsync_dir` every folder of ``paths`` that still exists."""
    for path in sorted(set(paths)):
        try:
            fsync_dir(path)
        except (FileNotFoundError, NotADirectoryError):
            continue  # gone, or replaced by a file: nothing of ours to sync there


def write_new_file(path: Path, data: bytes, perm: int = 0o666, *, exact: bool = False) -> None:
    """Create ``path`` (which must not exist) with ``data``, fsynced.

    ``perm`` is masked by the umask as ``open(2)`` does, unless ``exact`` asks for exactly ``perm``.
    """
    fd = os.open(path, _CREATE_FLAGS, perm)
    try:
        if exact:
            os.fchmod(fd, perm)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file, fsync, rename, fsync of the folder."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    write_new_file(tmp, data, 0o644)
    tmp.replace(path)
    fsync_dir(path.parent)


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
