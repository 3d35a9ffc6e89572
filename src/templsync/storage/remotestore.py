"""Any fsspec location as a side of a sync: S3 (s3fs), SFTP (paramiko), memory, and the rest.

Rules this module keeps:

- Every write is atomic for readers: the content is uploaded under a temporary key beside the
  target (``.templsync-<token>-<name>``), then moved onto it (a server-side copy on S3, a POSIX
  rename on SFTP), then the target's size (and, on S3, its MD5 etag) is checked against what was
  sent. A failure at any point leaves the old object, plus at most a temporary key that a later
  run removes; listings never show temporary keys.
- Just before a target is overwritten or deleted, its info is fetched again and compared with the
  listing (size, then etag or mtime): a target that changed is left alone (:data:`CHANGED`).
- Every call to the store is retried ``retries`` times on a network error, waiting
  ``retry_delay`` seconds, doubled after each try; then it fails with :class:`StoreError`,
  naming the location and the path. Missing paths and refused permissions are never retried.
- fsspec's own exceptions and the clients' stop here, translated into :class:`StoreError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import posixpath
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import fsspec
from fsspec.spec import AbstractFileSystem

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import blob_digest
from templsync.progress import Progress
from templsync.storage.model import Listing, Stat
from templsync.storage.store import CHANGED, TEMP_MARK, Changed, StoreError, Write, WriteOutcome

T = TypeVar("T")

STALE_TEMP_AFTER = 600.0
"""Seconds after which a temporary key left by an interrupted upload is removed."""
_ONE_AT_A_TIME = {"sftp", "ssh"}
_FOLDERLESS = {"s3", "s3a", "gcs", "gs", "az", "abfs", "adl"}
_NEVER_RETRIED = (FileNotFoundError, PermissionError, FileExistsError, IsADirectoryError)
_BUGS = (TypeError, AttributeError, NameError, AssertionError)  # raised as they are: not the store


class FsspecStore:
    """The location ``url`` on the file system ``fs`` (its root ``root``, no trailing slash)."""

    racy_window_ns = 0

    def __init__(
        self,
        fs: AbstractFileSystem,
        root: str,
        url: str,
        *,
        retries: int = 2,
        retry_delay: float = 0.5,
        jobs: int = 8,
    ) -> None:
        self.fs = fs
        self.root = root.rstrip("/")
        self.url = url
        self.retries = retries
        self.retry_delay = retry_delay
        self.jobs = jobs
        self.token = secrets.token_hex(6)
        self._sweep = False
        self.folderless = _protocol(fs) in _FOLDERLESS
        # paramiko's SFTP client mixes up answers to requests sent from several threads at once.
        self._serial = threading.Lock() if _protocol(fs) in _ONE_AT_A_TIME else None

    @classmethod
    def open(
        cls, url: str, *, timeout: float, retries: int, retry_delay: float, jobs: int = 8
    ) -> FsspecStore:
        protocol = url.split("://", 1)[0]
        # A fresh client per run: fsspec's cache would hand back one made for another endpoint
        # or one whose connection has died.
        options: dict[str, Any] = {"skip_instance_cache": True}
        if protocol in ("s3", "s3a"):
            options["config_kwargs"] = {
                "connect_timeout": timeout,
                "read_timeout": timeout,
                "retries": {"max_attempts": 1},  # the retries are ours, with our backoff
            }
        elif protocol in ("sftp", "ssh"):
            options["timeout"] = timeout
            options["banner_timeout"] = timeout
        try:
            fs, root = fsspec.core.url_to_fs(url, **options)
        except ImportError as err:
            extra = {"s3": "s3", "s3a": "s3", "sftp": "sftp", "ssh": "sftp"}.get(protocol)
            hint = f" Install it with: pip install 'templsync[{extra}]'." if extra else ""
            raise StoreError(
                f"{url!r} needs a package that is not installed ({err}).{hint}"
            ) from err
        except (ValueError, OSError) as err:
            raise StoreError(f"cannot open {url!r}: {_reason(err)}.") from err
        if protocol in ("sftp", "ssh"):
            channel = getattr(getattr(fs, "ftp", None), "get_channel", lambda: None)()
            if channel is not None:
                channel.settimeout(timeout)  # a stalled server fails the call, then it is retried
        return cls(fs, root, url, retries=retries, retry_delay=retry_delay, jobs=jobs)

    # -- reading ---------------------------------------------------------------------------

    def listing(self, ignore: IgnoreRules, progress: Progress) -> Listing:
        try:
            found = self._call("list", "", lambda: self.fs.find(self.root, detail=True))
        except StoreError as err:
            if isinstance(err.__cause__, FileNotFoundError):
                return {}
            raise
        assert isinstance(found, dict)
        prefix = self.root + "/" if self.root else ""
        listing: Listing = {}
        stale: list[str] = []
        now = time.time()
        for full, info in found.items():
            if info.get("type") != "file" or not full.startswith(prefix):
                continue
            rel = full[len(prefix) :]
            if posixpath.basename(rel).startswith(TEMP_MARK):
                if self._sweep and now - _mtime_ns(info) / 1e9 > STALE_TEMP_AFTER:
                    stale.append(full)
                continue
            if ignore and ignore.ignores(rel):
                continue
            listing[rel] = _stat(info)
        progress("list-remote", len(listing), len(listing) or 1)
        for full in stale:
            self._call("remove", full, partial(self.fs.rm_file, full))
        return listing

    def hash(self, path: str, listed: Stat) -> Stat:
        return listed.with_digest(blob_digest(self.read(path, listed)))

    def read(self, path: str, listed: Stat) -> bytes:
        full = self._full(path)
        now = self._info(path)
        if now is None or not _same(now, listed):
            raise Changed(path)
        try:
            data = self._call("read", path, lambda: self.fs.cat_file(full))
        except StoreError as err:
            if isinstance(err.__cause__, FileNotFoundError):
                raise Changed(path) from err
            raise
        assert isinstance(data, bytes)
        if len(data) != listed.size:
            raise Changed(path)
        return data

    # -- writing ---------------------------------------------------------------------------

    def apply(self, writes: Sequence[Write], done: Callable[[Write, WriteOutcome], None]) -> None:
        deletes = [w for w in writes if w.data is None]
        if self.jobs <= 1 or len(writes) < 2:
            for write in writes:
                done(write, self._one(write))
        else:
            with ThreadPoolExecutor(self.jobs, thread_name_prefix="templsync-remote") as pool:
                futures = [(w, pool.submit(self._one, w)) for w in writes]
                error: BaseException | None = None
                for write, future in futures:
                    try:
                        outcome = future.result()
                    except BaseException as err:  # report every write that did land first
                        error = error or err
                        continue
                    done(write, outcome)
                if error is not None:
                    raise error
        if deletes and not self.folderless:
            self._remove_empty_folders(deletes)

    def _one(self, write: Write) -> WriteOutcome:
        now = self._info(write.path)
        if write.expect is None:
            if now is not None:
                return CHANGED
        elif now is None or not _same(now, write.expect):
            return CHANGED
        full = self._full(write.path)
        if write.data is None:
            self._call("delete", write.path, lambda: self.fs.rm_file(full))
            return None
        return self._upload(write, full, write.data)

    def _upload(self, write: Write, full: str, data: bytes) -> Stat:
        folder, name = posixpath.split(full)
        temp = posixpath.join(folder, f"{TEMP_MARK}{self.token}-{name}")
        if not self.folderless and folder:
            self._call("mkdir", write.path, lambda: self.fs.makedirs(folder, exist_ok=True))
        try:
            self._call("upload", write.path, lambda: self.fs.pipe_file(temp, data))
            self._call("move", write.path, lambda: self.fs.mv(temp, full))
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: a left temp key is swept later
                self._call("remove", temp, partial(self.fs.rm_file, temp))
            raise
        landed = self._info(write.path)
        if landed is None or landed.size != len(data) or not _etag_matches(landed.etag, data):
            raise StoreError(
                f"{write.path!r} in {self.url!r} does not hold what was uploaded after the "
                "upload (size or checksum differ). The state does not record it: run the sync "
                "again."
            )
        return Stat(landed.size, landed.mtime_ns, write.digest, landed.etag)

    def _remove_empty_folders(self, deletes: Sequence[Write]) -> None:
        folders = {posixpath.dirname(w.path) for w in deletes} - {""}
        for deepest in sorted(folders, key=lambda f: -f.count("/")):
            folder = deepest
            while folder:
                full = self._full(folder)
                try:
                    if self._call("list", folder, partial(self.fs.ls, full, detail=False)):
                        break
                    self._call("remove", folder, partial(self.fs.rmdir, full))
                except (StoreError, NotImplementedError):
                    break
                folder = posixpath.dirname(folder)

    def recover(self) -> str | None:
        self._sweep = True
        return None

    def close(self) -> None:
        client = getattr(self.fs, "client", None)
        close = getattr(client, "close", None)
        if callable(close) and _protocol(self.fs) in ("sftp", "ssh"):
            close()

    # -- helpers ---------------------------------------------------------------------------

    def _full(self, path: str) -> str:
        return f"{self.root}/{path}" if self.root else path

    def _info(self, path: str) -> Stat | None:
        full = self._full(path)
        try:
            info = self._call("stat", path, lambda: self.fs.info(full))
        except StoreError as err:
            if isinstance(err.__cause__, FileNotFoundError):
                return None
            raise
        assert isinstance(info, dict)
        if info.get("type") != "file":
            return None
        return _stat(info)

    def _call(self, what: str, path: str, fn: Callable[[], T]) -> T:
        delay = self.retry_delay
        for attempt in range(self.retries + 1):
            try:
                if self._serial is None:
                    return fn()
                with self._serial:
                    return fn()
            except _NEVER_RETRIED as err:
                if isinstance(err, FileNotFoundError):
                    raise StoreError(f"{path!r} not found in {self.url!r}.") from err
                raise StoreError(
                    f"cannot {what} {path!r} in {self.url!r}: {_reason(err)}."
                ) from err
            except _BUGS:
                raise
            except Exception as err:
                if attempt == self.retries:
                    raise StoreError(
                        f"cannot {what} {path or '.'!r} in {self.url!r}: {_reason(err)} (after "
                        f"{attempt + 1} tries). Nothing is lost: what landed is recorded, the "
                        "rest is synced by the next run."
                    ) from err
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


def _protocol(fs: AbstractFileSystem) -> str:
    protocol = fs.protocol
    return protocol if isinstance(protocol, str) else protocol[0]


def _reason(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text.splitlines()[0] if text else type(err).__name__


def _stat(info: dict[str, Any]) -> Stat:
    etag = info.get("ETag") or info.get("etag")
    return Stat(
        int(info.get("size") or 0),
        _mtime_ns(info),
        None,
        etag.strip('"') if isinstance(etag, str) else None,
    )


def _mtime_ns(info: dict[str, Any]) -> int:
    for key in ("LastModified", "mtime", "last_modified", "updated", "created"):
        value = info.get(key)
        if isinstance(value, dt.datetime):
            return int(value.timestamp() * 1_000_000) * 1000
        if isinstance(value, int | float):
            return int(value * 1_000_000) * 1000
        if isinstance(value, str):
            try:
                return int(dt.datetime.fromisoformat(value).timestamp() * 1_000_000) * 1000
            except ValueError:
                continue
    return 0


def _same(now: Stat, listed: Stat) -> bool:
    if now.size != listed.size:
        return False
    if now.etag is not None and listed.etag is not None:
        return now.etag == listed.etag
    return now.mtime_ns == listed.mtime_ns


def _etag_matches(etag: str | None, data: bytes) -> bool:
    """Whether an S3-style etag (MD5 of a single-part upload) agrees with ``data``; an etag of
    another form (multipart, or a store's own) proves nothing either way."""
    if etag is None or len(etag) != 32 or not all(c in "0123456789abcdef" for c in etag):
        return True
    return hashlib.md5(data, usedforsecurity=False).hexdigest() == etag
