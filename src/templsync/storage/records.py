"""The last sync's records, column by column: what a run loads, compares, updates and saves.

Rules this module keeps:

- :class:`Records` holds every recorded path as columns (the paths, arrays of sizes and of
  each side's mtime, the digests as 20 raw bytes each, the etags where a store gives them)
  with an index from path to row. It reads as a ``Mapping[str, Record]``, but a
  :class:`Record` is made only for a path someone asks about: a run that finds nothing changed
  makes none. 100,000 paths take about 19 MB this way (docs/storage-sync.md).
- :class:`Known` is one side's view of the records, for a listing to compare against.
- :class:`Landed` collects what a run landed, row by row, in the same compact form;
  :meth:`Records.after` gives the records the run leaves: a landed path's row replaced (or
  dropped, when it is gone from both sides: the last row moves into its place, so a run that
  deletes a few files of 100,000 moves a few rows, not all), new paths appended, every other
  row as it was; a landed mtime within a side's racy window of the listing is saved as
  ``RACY``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from templsync.storage.model import RACY, Record, Side

DIGEST_BYTES = 20


def ints(values: Sequence[int] | Iterator[int] = ()) -> array[int]:
    """A column of 64-bit integers (sizes, mtimes)."""
    return array("q", values)


class Records(Mapping[str, Record]):
    """Every path the last syncs landed, with both sides' size, digest and mtimes (see the
    module's rules). ``etags`` is None when no record has one."""

    __slots__ = ("digests", "etags", "index", "local_mtimes", "paths", "remote_mtimes", "sizes")

    def __init__(
        self,
        paths: list[str],
        sizes: array[int],
        digests: bytes,
        local_mtimes: array[int],
        remote_mtimes: array[int],
        *,
        etags: list[str | None] | None = None,
        index: dict[str, int] | None = None,
    ) -> None:
        n = len(paths)
        lengths = {len(sizes), len(local_mtimes), len(remote_mtimes), len(digests) // DIGEST_BYTES}
        if lengths != {n} or len(digests) % DIGEST_BYTES or (etags is not None and len(etags) != n):
            raise ValueError("the record columns differ in length")
        # ``index`` is the caller's, already built from ``paths`` (:meth:`after`): not twice.
        self.index = dict(zip(paths, range(n), strict=True)) if index is None else index
        if len(self.index) != n:
            raise ValueError("a path is recorded twice")
        self.paths = paths
        self.sizes = sizes
        self.digests = digests
        self.local_mtimes = local_mtimes
        self.remote_mtimes = remote_mtimes
        self.etags = etags

    @classmethod
    def of(cls, records: Mapping[str, Record]) -> Records:
        """``records`` as columns (as they are, when they already are)."""
        if isinstance(records, Records):
            return records
        paths = list(records)
        rows = [records[p] for p in paths]
        etags = [r.etag for r in rows]
        return cls(
            paths,
            ints([r.size for r in rows]),
            bytes.fromhex("".join(r.digest for r in rows)),
            ints([r.local_mtime_ns for r in rows]),
            ints([r.remote_mtime_ns for r in rows]),
            etags=etags if any(e is not None for e in etags) else None,
        )

    def row(self, i: int) -> Record:
        at = DIGEST_BYTES * i
        return Record(
            self.sizes[i],
            self.digests[at : at + DIGEST_BYTES].hex(),
            self.local_mtimes[i],
            self.remote_mtimes[i],
            None if self.etags is None else self.etags[i],
        )

    def __getitem__(self, path: str) -> Record:
        return self.row(self.index[path])

    def __contains__(self, path: object) -> bool:
        return path in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def digest_set(self) -> set[str]:
        """Every recorded digest, as hex."""
        data = self.digests
        return {data[i : i + DIGEST_BYTES].hex() for i in range(0, len(data), DIGEST_BYTES)}

    def known(self, side: Side) -> Known:
        if side is Side.LOCAL:
            return Known(self.index, self.sizes, self.local_mtimes)
        return Known(self.index, self.sizes, self.remote_mtimes, self.etags)

    def after(
        self, landed: Landed, listed_at_ns: int = 0, windows_ns: tuple[int, int] = (0, 0)
    ) -> Records:
        """The records once ``landed`` is applied (see the module's rules)."""
        paths = list(self.paths)
        sizes, local, remote = ints(self.sizes), ints(self.local_mtimes), ints(self.remote_mtimes)
        digests = bytearray(self.digests)
        etags = None if self.etags is None else list(self.etags)
        index = dict(self.index)
        gone: set[int] = set()
        local_after = listed_at_ns - windows_ns[0] if windows_ns[0] else None
        remote_after = listed_at_ns - windows_ns[1] if windows_ns[1] else None
        for j, path in enumerate(landed.paths):
            i = index.get(path)
            if landed.gone[j]:
                if i is not None:
                    gone.add(i)
                continue
            if i is None:
                i = index[path] = len(paths)
                paths.append(path)
                sizes.append(0)
                local.append(0)
                remote.append(0)
                digests += bytes(DIGEST_BYTES)
                if etags is not None:
                    etags.append(None)
            gone.discard(i)
            sizes[i] = landed.sizes[j]
            at = DIGEST_BYTES * j
            row = landed.digests[at : at + DIGEST_BYTES]
            digests[DIGEST_BYTES * i : DIGEST_BYTES * (i + 1)] = row
            local[i] = _racy(landed.local_mtimes[j], local_after)
            remote[i] = _racy(landed.remote_mtimes[j], remote_after)
            etag = landed.etags[j]
            if etag is not None and etags is None:
                etags = [None] * len(paths)
            if etags is not None:
                etags[i] = etag
        _drop(gone, paths, index, (sizes, local, remote), digests, etags=etags)
        return Records(paths, sizes, bytes(digests), local, remote, etags=etags, index=index)


def _drop(
    rows: set[int],
    paths: list[str],
    index: dict[str, int],
    columns: tuple[array[int], ...],
    digests: bytearray,
    *,
    etags: list[str | None] | None,
) -> None:
    """Remove ``rows`` from the columns in place: the last row takes each one's place."""
    for i in sorted(rows, reverse=True):  # the rows after ``i`` are all kept ones by now
        last = len(paths) - 1
        del index[paths[i]]
        if i != last:
            moved = paths[last]
            paths[i], index[moved] = moved, i
            for column in columns:
                column[i] = column[last]
            at, end = DIGEST_BYTES * i, DIGEST_BYTES * last
            digests[at : at + DIGEST_BYTES] = digests[end : end + DIGEST_BYTES]
            if etags is not None:
                etags[i] = etags[last]
        paths.pop()
        for column in columns:
            column.pop()
        del digests[-DIGEST_BYTES:]
        if etags is not None:
            etags.pop()


def _racy(mtime_ns: int, after_ns: int | None) -> int:
    return RACY if after_ns is not None and mtime_ns >= after_ns else mtime_ns


@dataclass(frozen=True)
class Known:
    """What one side held at the last sync: row ``index[path]`` has its ``sizes`` and
    ``mtimes`` (and, for a remote that gives them, ``etags``)."""

    index: Mapping[str, int]
    sizes: array[int]
    mtimes: array[int]
    etags: Sequence[str | None] | None = None


NOTHING_KNOWN = Known({}, ints(), ints())
"""No records: every file a listing finds is new (a first run, ``--resync``, ``--checksum``)."""


@dataclass
class Landed:
    """What a run landed, in order: a path's new record, or gone (from both sides)."""

    paths: list[str] = field(default_factory=list)
    gone: bytearray = field(default_factory=bytearray)
    sizes: array[int] = field(default_factory=ints)
    digests: bytearray = field(default_factory=bytearray)
    local_mtimes: array[int] = field(default_factory=ints)
    remote_mtimes: array[int] = field(default_factory=ints)
    etags: list[str | None] = field(default_factory=list)

    def add(self, path: str, record: Record | None) -> None:
        self.paths.append(path)
        self.gone.append(record is None)
        if record is None:
            record = _GONE
        self.sizes.append(record.size)
        self.digests += bytes.fromhex(record.digest)
        self.local_mtimes.append(record.local_mtime_ns)
        self.remote_mtimes.append(record.remote_mtime_ns)
        self.etags.append(record.etag)

    def __len__(self) -> int:
        return len(self.paths)


_GONE = Record(0, "0" * 40, 0, 0)
