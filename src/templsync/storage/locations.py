"""LOCAL and REMOTE as given on the command line, turned into stores and a key for the state.

Rules this module keeps:

- A spelling without ``://`` is a folder (relative to the working folder), and so is a
  ``file://`` URL: both take the fast path (:class:`LocalStore`), never fsspec.
- Any other URL goes to fsspec (imported only then), e.g. ``s3://bucket/prefix``,
  ``sftp://user@host:port/path``, ``memory://name``.
- The key naming a pair's state is the absolute folder path, or the URL as given without a
  trailing slash: the same pair always finds its state again.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from templsync.errors import UserError
from templsync.storage.localstore import LocalStore
from templsync.storage.store import Store


class LocationError(UserError):
    """LOCAL or REMOTE cannot be used."""


def folder_of(spelling: str | Path) -> Path | None:
    """The folder a spelling names, or None when it is a URL for fsspec."""
    if isinstance(spelling, Path):
        return spelling
    if spelling.startswith("file://"):
        parts = urlsplit(spelling)
        if parts.netloc not in ("", "localhost"):
            raise LocationError(f"{spelling!r}: a file:// URL must name a path on this machine.")
        return Path(unquote(parts.path))
    if "://" in spelling:
        return None
    return Path(spelling)


def location_key(spelling: str | Path) -> str:
    folder = folder_of(spelling)
    if folder is not None:
        return str(folder.absolute())
    return str(spelling).rstrip("/")


def open_local(spelling: str | Path) -> LocalStore:
    folder = folder_of(spelling)
    if folder is None:
        raise LocationError(
            f"LOCAL must be a folder, not {str(spelling)!r}: give the remote location as REMOTE."
        )
    return LocalStore(folder, str(spelling))


def open_remote(
    spelling: str | Path, *, timeout: float, retries: int, retry_delay: float, jobs: int = 8
) -> Store:
    folder = folder_of(spelling)
    if folder is not None:
        return LocalStore(folder, str(spelling))
    from templsync.storage.remotestore import FsspecStore  # noqa: PLC0415  # fsspec: URLs only

    return FsspecStore.open(
        str(spelling), timeout=timeout, retries=retries, retry_delay=retry_delay
    )
