"""Reading files of data under a folder without following a link anywhere on the way.

A folder that holds data (a migration's folder) is read as data: no symlink is followed, neither
the folder itself nor a subfolder nor the file, and only regular files are read. The walk opens
the folder with ``O_NOFOLLOW | O_DIRECTORY``, then each part of the path relative to it the same
way (``openat``), and the file with ``O_NOFOLLOW | O_NONBLOCK`` (a fifo does not hang the read)
followed by ``fstat``: a symlink, fifo, socket or device met anywhere raises
:class:`NotPlainError` naming the part at fault. Nothing here can leave the folder: ``rel`` is a
normal relative path (the caller checked it), and no link is resolved.
"""

from __future__ import annotations

import errno
import os
import stat

from templsync._io.fsutil import read_to_end
from templsync.errors import ReadError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR})


class NotPlainError(ReadError):
    """A symlink or another file that is not a regular file or folder, where data belongs.

    ``rel`` is the part at fault relative to the folder read ("" for the folder itself) and
    ``what`` says what it is ("a symlink", "a fifo", ...)."""

    def __init__(self, root: str, rel: str, what: str) -> None:
        self.root = root
        self.rel = rel
        self.what = what
        super().__init__(f"{_join(root, rel)} is {what}, not plain data")


def describe(mode: int) -> str:
    """What a file of ``mode`` is, for a message."""
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISFIFO(mode):
        return "a fifo"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a regular file"


def read_plain(root: str, rel: str) -> bytes | None:
    """The content of the regular file ``rel`` under the folder ``root``; None when it is not
    there. Raises :class:`NotPlainError` when ``root``, a folder on the way or the file is not
    plain (a symlink, fifo, ...), :class:`ReadError` when it cannot be read."""
    parent, name = _open_parent(root, rel)
    if parent is None:
        return None
    try:
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=parent)
        except OSError as err:
            if err.errno in _MISSING:
                return None
            raise _explain(parent, name, root, rel, err) from err
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise NotPlainError(root, rel, describe(st.st_mode))
            return read_to_end(fd)
        except OSError as err:
            raise ReadError(f"cannot read {_join(root, rel)}: {err.strerror}") from err
        finally:
            os.close(fd)
    finally:
        os.close(parent)


def is_plain_file(root: str, rel: str) -> bool:
    """Whether the regular file ``rel`` is there under ``root`` (False: nothing there); raises
    as :func:`read_plain` does when something that is not plain is met."""
    parent, name = _open_parent(root, rel)
    if parent is None:
        return False
    try:
        try:
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except OSError as err:
            if err.errno in _MISSING:
                return False
            raise ReadError(f"cannot read {_join(root, rel)}: {err.strerror}") from err
        if not stat.S_ISREG(st.st_mode):
            raise NotPlainError(root, rel, describe(st.st_mode))
        return True
    finally:
        os.close(parent)


def _open_parent(root: str, rel: str) -> tuple[int | None, str]:
    """The folder holding ``rel``, opened without following links (None: not there), and the
    last part of ``rel``."""
    *folders, name = rel.split("/")
    try:
        fd = os.open(root, _DIR_FLAGS)
    except OSError as err:
        if err.errno == errno.ENOENT:
            return None, name
        raise _explain(None, root, root, "", err) from err
    done: list[str] = []
    for part in folders:
        try:
            below = os.open(part, _DIR_FLAGS, dir_fd=fd)
        except OSError as err:
            error = _explain(fd, part, root, "/".join((*done, part)), err)
            os.close(fd)
            if err.errno in _MISSING and not isinstance(error, NotPlainError):
                return None, name  # no folder there (or a file where it would be)
            raise error from err
        os.close(fd)
        fd = below
        done.append(part)
    return fd, name


def _explain(dir_fd: int | None, name: str, root: str, rel: str, err: OSError) -> ReadError:
    """The error for ``name`` that could not be opened: what it is when that is the reason
    (a link, a file where a folder belongs, ...), else why it could not be read."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        return NotPlainError(root, rel, describe(st.st_mode))
    return ReadError(f"cannot read {_join(root, rel)}: {err.strerror}")


def _join(root: str, rel: str) -> str:
    return f"{root}/{rel}" if rel else root
