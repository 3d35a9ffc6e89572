"""Reading regular files from disk safely: git blob digests and digest-checked content.

Files are opened with ``O_NOFOLLOW`` (a path that became a symlink is refused, never followed) and
``O_NONBLOCK`` (a path that became a fifo does not hang the read). A file whose size changes while
it is read, or whose content no longer matches the digest recorded earlier, raises
:class:`ChangedDuringRunError`: the caller read a snapshot that no longer holds.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat

from templsync._core.blob import blob_digest
from templsync.errors import ChangedDuringRunError, ReadError

_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CHUNK = 1 << 20
# Errors meaning "what is at this path is no longer the regular file that was there".
_GONE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EISDIR, errno.ENXIO})


def changed_error(rel: str, what: str) -> ChangedDuringRunError:
    return ChangedDuringRunError(
        f"{rel!r} {what} while templsync was working. Nothing was written; "
        "run the command again once nothing else is changing the folder."
    )


def read_error(rel: str, err: OSError) -> ReadError:
    reason = err.strerror or str(err)
    return ReadError(
        f"cannot read {rel!r}: {reason}. Check its permissions, or add it to the ignore rules."
    )


def translate(rel: str, err: OSError) -> ChangedDuringRunError | ReadError:
    """The error to raise for an OSError met while reading ``rel``."""
    if err.errno in _GONE:
        return changed_error(rel, "was moved, deleted or replaced")
    return read_error(rel, err)


def _open_regular(path: str, rel: str) -> tuple[int, os.stat_result]:
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as err:
        raise translate(rel, err) from err
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise changed_error(rel, "stopped being a regular file")
    return fd, st


def _read_all(fd: int, size: int, rel: str) -> bytes:
    """Read exactly ``size`` bytes then EOF; anything else means the file changed meanwhile."""
    if size < _CHUNK:
        # For a regular file a short read only happens at end of file, so asking for one byte
        # more than expected proves both the size and the EOF in a single call.
        data = os.read(fd, size + 1)
    else:
        parts: list[bytes] = []
        while chunk := os.read(fd, _CHUNK):
            parts.append(chunk)
        data = b"".join(parts)
    if len(data) != size:
        raise changed_error(rel, "changed size")
    return data


def hash_file(path: str, rel: str) -> tuple[str, os.stat_result]:
    """The git blob digest of the regular file at ``path`` and its ``fstat`` (taken before reading).

    ``rel`` names the file in error messages. Large files are hashed in chunks, never held whole.
    """
    fd, st = _open_regular(path, rel)
    try:
        if st.st_size < _CHUNK:
            return blob_digest(_read_all(fd, st.st_size, rel)), st
        h = hashlib.sha1(b"blob %d\0" % st.st_size, usedforsecurity=False)
        total = 0
        while chunk := os.read(fd, _CHUNK):
            h.update(chunk)
            total += len(chunk)
        if total != st.st_size:
            raise changed_error(rel, "changed size")
        return h.hexdigest(), st
    except OSError as err:
        raise read_error(rel, err) from err
    finally:
        os.close(fd)


def load_checked(path: str, rel: str, digest: str) -> bytes:
    """The content of the regular file at ``path``, which must still have ``digest``."""
    fd, st = _open_regular(path, rel)
    try:
        data = _read_all(fd, st.st_size, rel)
    except OSError as err:
        raise read_error(rel, err) from err
    finally:
        os.close(fd)
    if blob_digest(data) != digest:
        raise changed_error(rel, "changed")
    return data
