"""The cache an app keeps its templates, bytecode and responses in, behind one small protocol.

Rules this module keeps:

- Keys are ``{app}:{namespace}:{key}`` (:func:`key_of`); a namespace is every key under
  ``{app}:{namespace}:``.
- A cache that cannot be reached raises :class:`CacheUnreachable` (after the retries), never a
  client library's own error: callers keep going without the cache and say so.
- :class:`MemoryCache` is the in-process cache (thread-safe); ``redis://`` URLs open a
  :class:`~templsync.storage.appsync.rediscache.RedisCache` (the ``redis`` package is imported
  only then).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from templsync.errors import TemplsyncError, UserError

NAMESPACES = ("templates", "bccache", "responses")
"""The namespaces templsync knows: template sources, Jinja bytecode, rendered responses."""

T = TypeVar("T")


class CacheUnreachable(TemplsyncError):
    """The cache did not answer (after the retries). Not an error of the sync: the files landed,
    the cache was not told."""


class Cache(Protocol):
    url: str
    """Where the cache is, for messages."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...

    def set_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Set every ``(key, value)``, in as few round trips as the cache allows."""
        ...

    def delete(self, keys: Sequence[str]) -> int:
        """Remove ``keys``; the number that were there."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """Every key starting with ``prefix``, sorted."""
        ...


def key_of(app: str, namespace: str, key: str) -> str:
    return f"{app}:{namespace}:{key}"


def prefix_of(app: str, namespace: str) -> str:
    return f"{app}:{namespace}:"


class MemoryCache:
    """The in-process cache: a dict behind a lock."""

    url = "memory://"

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._data.get(key)

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._data[key] = value

    def set_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        with self._lock:
            self._data.update(items)

    def delete(self, keys: Sequence[str]) -> int:
        with self._lock:
            return sum(self._data.pop(k, None) is not None for k in keys)

    def keys(self, prefix: str) -> list[str]:
        with self._lock:
            return sorted(k for k in self._data if k.startswith(prefix))


def open_cache(url: str, *, timeout: float = 5.0) -> Cache:
    """The cache at ``url``: ``memory://`` (a new in-process cache) or ``redis://``/``rediss://``."""
    if url == "memory://":
        return MemoryCache()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from templsync.storage.appsync.rediscache import (  # noqa: PLC0415  # redis: URLs only
            RedisCache,
        )

        return RedisCache(url, timeout=timeout)
    raise UserError(
        f"cache {url!r}: give a redis:// URL (redis://host:6379/0) or memory:// for an "
        "in-process cache."
    )


def retried(call: Callable[[], T], *, attempts: int, delay: float) -> T:
    """``call()``, tried again ``attempts`` more times on :class:`CacheUnreachable`, waiting
    ``delay`` seconds before the first retry and twice as long before each next one."""
    for attempt in range(attempts + 1):
        try:
            return call()
        except CacheUnreachable:
            if attempt == attempts:
                raise
            time.sleep(delay * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
