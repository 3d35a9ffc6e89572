"""A stat cache: files whose ``lstat`` did not change are not read or hashed again.

Each path maps to the signature ``(st_mtime_ns, st_size, st_ino, st_mode)`` it had when it was
hashed, and the digest found then. Like git's index, the cache refuses "racy" entries: a file
whose mtime is within :data:`RACY_WINDOW_NS` of the moment it was read could change again without
its mtime moving (coarse timestamps, clock skew), so it is not stored and is hashed again next time.

The cache is a plain in-memory object; :meth:`StatCache.load` and :meth:`StatCache.save` keep it in
a JSON file between runs. A missing or damaged file just means an empty cache.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._limits import parse_within

if TYPE_CHECKING:
    from templsync._core.tree import FileEntry

Signature = tuple[int, int, int, int]  # st_mtime_ns, st_size, st_ino, st_mode
Row = tuple[Signature, str]  # a signature and the digest found with it

RACY_WINDOW_NS = 2_000_000_000
_FORMAT_VERSION = 1


def signature(st: os.stat_result) -> Signature:
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode)


def default_cache_path(root: Path) -> Path:
    """Where the cache for the folder ``root`` lives between runs.

    Under ``$TEMPLSYNC_CACHE_DIR`` when set, else the user cache folder, one file per resolved root.
    """
    base = os.environ.get("TEMPLSYNC_CACHE_DIR")
    if not base:
        import platformdirs  # noqa: PLC0415  # 2 ms, and only without TEMPLSYNC_CACHE_DIR

        base = platformdirs.user_cache_dir("templsync")
    key = hashlib.sha1(os.fsencode(root.resolve()), usedforsecurity=False).hexdigest()
    return Path(base) / "statcache" / f"{key}.json"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many objects that all stay alive (and make no cycles):
    each collection would only rescan them, a fifth of a warm read's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def is_racy(sig: Signature, read_at_ns: int) -> bool:
    """Whether a file with ``sig``, read no earlier than ``read_at_ns``, may change unseen."""
    return sig[0] >= read_at_ns - RACY_WINDOW_NS


class StatCache:
    """Digests of files keyed by path and stat signature (mutable: it is a cache, not a value)."""

    __slots__ = ("_dirty", "_entries", "_rows")

    def __init__(self) -> None:
        self._rows: dict[str, Row] = {}
        self._dirty = False
        # The entries of the last walk and its root: an unchanged file's entry is reused as it is.
        self._entries: tuple[str, Mapping[str, FileEntry]] = ("", {})

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, path: object) -> bool:
        return path in self._rows

    @property
    def dirty(self) -> bool:
        """Whether the cache changed since it was loaded or saved."""
        return self._dirty

    def lookup(self, path: str, sig: Signature) -> str | None:
        """The digest recorded for ``path`` if its signature is still ``sig``."""
        row = self._rows.get(path)
        if row is None or row[0] != sig:
            return None
        return row[1]

    def store(self, path: str, sig: Signature, digest: str, *, read_at_ns: int) -> bool:
        """Record ``digest`` for ``path`` unless the entry is racy; return whether it was stored.

        ``read_at_ns`` is a ``time.time_ns()`` taken no later than the moment the file was read.
        """
        if is_racy(sig, read_at_ns):
            if self._rows.pop(path, None) is not None:
                self._dirty = True
            return False
        row = (sig, digest)
        if self._rows.get(path) != row:
            self._rows[path] = row
            self._dirty = True
        return True

    def rows(self) -> Mapping[str, Row]:
        """Every row, for a reader that looks them up in a hot loop (do not keep it)."""
        return self._rows

    def entries(self, root: str) -> Mapping[str, FileEntry]:
        """The entries the last walk of ``root`` built (empty after a walk of another root)."""
        walked, entries = self._entries
        return entries if walked == root else {}

    def replace(
        self,
        rows: dict[str, Row],
        *,
        changed: bool,
        entries: tuple[str, Mapping[str, FileEntry]] = ("", {}),
    ) -> None:
        """Make ``rows`` the whole cache, as a walk saw the folder; ``changed``: rows were added.

        ``entries`` are that walk's root and entries, kept in memory only.
        """
        if changed or len(rows) != len(self._rows):
            self._dirty = True
        self._rows = rows
        self._entries = entries

    @classmethod
    def load(cls, path: Path) -> StatCache:
        """The cache saved at ``path``; an empty cache when it is missing or damaged."""
        cache = cls()
        try:
            with gc_paused():
                return cls._parse(path.read_bytes())
        except (OSError, ValueError, TypeError, KeyError):
            return cache

    @classmethod
    def _parse(cls, raw: bytes) -> StatCache:
        cache = cls()
        # Nested too deeply: LimitError, a ValueError, so a damaged cache. No walk of the value:
        # every row is checked by type below, and loading is a cost of every cached read.
        data = parse_within(lambda: json.loads(raw), check=False)
        paths, ints, digests = data["paths"], data["ints"], data["digests"]
        n = len(paths)
        if data["version"] != _FORMAT_VERSION or len(ints) != 4 * n or len(digests) != n:
            return cache
        # Every digest is 40 hex digits (ValueError or TypeError otherwise). Everything here
        # runs in C: loading is a fixed cost of every cached read.
        if n and set(map(len, digests)) != {40}:
            return cache
        bytes.fromhex("".join(digests))
        # Numbers of the wrong type cannot equal a real stat signature: such rows never hit.
        numbers = iter(ints)
        sigs = zip(numbers, numbers, numbers, numbers, strict=True)
        cache._rows = dict(zip(paths, zip(sigs, digests, strict=True), strict=True))
        return cache

    def save(self, path: Path) -> None:
        """Write the cache to ``path`` atomically (temp file in the same folder, then rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = self._rows.values()
        payload = json.dumps(
            {
                "version": _FORMAT_VERSION,
                "paths": list(self._rows),
                "ints": [v for sig, _ in rows for v in sig],
                "digests": [digest for _, digest in rows],
            },
            separators=(",", ":"),
        ).encode()
        import tempfile  # noqa: PLC0415  # 3 ms (shutil, random), when saving

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._dirty = False
