"""A :class:`~templsync.storage.appsync.cache.Cache` in Redis (the ``redis`` package, a
blocking client: the async API calls it from a worker thread).

Rules this module keeps:

- Connecting and every command time out after ``timeout`` seconds; a refused, dropped or timed
  out connection is :class:`CacheUnreachable`, with the URL (its password left out).
- Namespaces are listed with ``SCAN`` (never ``KEYS``, which blocks the server), the prefix's
  glob characters escaped; deletions and ``set_many`` go in batches of 500 keys, one round trip
  each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.exceptions

from templsync.storage.appsync.cache import CacheUnreachable

T = TypeVar("T")
_BATCH = 500


class RedisCache:
    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = _without_password(url)
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=False
        )

    def _call(self, what: Callable[[], T]) -> T:
        try:
            return what()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
            raise CacheUnreachable(f"the cache at {self.url} did not answer: {err}") from err

    def get(self, key: str) -> bytes | None:
        value = self._call(lambda: self._client.get(key))
        return None if value is None else bytes(value)  # type: ignore[arg-type]  # bytes: decode_responses=False

    def set(self, key: str, value: bytes) -> None:
        self._call(lambda: self._client.set(key, value))

    def set_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        for start in range(0, len(items), _BATCH):
            batch = dict(items[start : start + _BATCH])
            self._call(lambda b=batch: self._client.mset(b))  # type: ignore[misc]

    def delete(self, keys: Sequence[str]) -> int:
        removed = 0
        for start in range(0, len(keys), _BATCH):
            batch = list(keys[start : start + _BATCH])
            removed += int(self._call(lambda b=batch: self._client.delete(*b)))  # type: ignore[misc]
        return removed

    def keys(self, prefix: str) -> list[str]:
        pattern = _glob_escaped(prefix) + "*"

        def scan() -> list[str]:
            return sorted(
                k.decode() if isinstance(k, bytes) else str(k)
                for k in self._client.scan_iter(match=pattern, count=1000)
            )

        return self._call(scan)

    def close(self) -> None:
        self._client.close()


def _glob_escaped(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
