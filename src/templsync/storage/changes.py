"""Change detection: how each side's file differs from the last sync's record.

Rules this module keeps:

- A side's file is *unchanged* when its digest equals the record's (when it was hashed), else when
  its size and mtime equal the record's for that side (or, for a remote, its size and the store's
  etag, where both are known). A recorded mtime of ``RACY`` equals nothing, so that file is hashed.
- Only files whose size is unchanged but whose mtime moved are hashed to tell (a different size is
  a change without reading a byte), plus both sides of a path where both may have changed with
  equal sizes (identical edits are not conflicts), plus everything with ``checksum``.
- A path is *in sync* when both sides hold it exactly as recorded (size and mtime, and an
  etag that does not contradict the record's): no plan needs to look at it, and no object is
  made for it. A listing is compared with the records as it goes (:class:`Scan`), and only the
  other paths go on to hashing and planning (:func:`to_plan`), each side's stat rebuilt from
  the record where that side holds it as recorded.
- Nothing here reads a file: :func:`to_hash` says which to hash, the caller hashes them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from templsync.storage.model import Listing, Record, Side, Stat
from templsync.storage.records import Known, Records

SEEN = 1
"""``Scan.seen`` of a recorded row the side holds as recorded ..."""
SEEN_EXECUTABLE = 3
"""... and that is executable."""


@dataclass
class Scan:
    """One side's files against the last sync: ``changed`` lists every file that is new or not
    as recorded; ``seen[row]`` is :data:`SEEN` (or :data:`SEEN_EXECUTABLE`) for each record
    the side holds as recorded, 0 for the others; ``count`` is every file found."""

    changed: Listing
    seen: bytearray
    count: int


def scan_listing(listing: Listing, known: Known) -> Scan:
    """A whole listing (as a remote store gives it) compared with ``known``."""
    seen = bytearray(len(known.sizes))
    changed: Listing = {}
    index, sizes, mtimes, etags = known.index, known.sizes, known.mtimes, known.etags
    for path, stat in listing.items():
        i = index.get(path)
        if (
            i is not None
            and stat.digest is None
            and sizes[i] == stat.size
            and mtimes[i] == stat.mtime_ns
            and (stat.etag is None or (etags is not None and etags[i] == stat.etag))
        ):
            seen[i] = SEEN_EXECUTABLE if stat.executable else SEEN
        else:
            changed[path] = stat
    return Scan(changed, seen, len(listing))


def to_plan(
    records: Records, local: Scan, remote: Scan
) -> tuple[dict[str, Record], Listing, Listing]:
    """The paths a plan must look at (every path but those in sync on both sides) with their
    records and each side's stat. ``local.changed`` and ``remote.changed`` are reused (and
    completed) as the returned listings."""
    n = len(records)
    ours_seen = local.seen.ljust(n, b"\0")  # shorter when scanned against nothing known
    theirs_seen = remote.seen.ljust(n, b"\0")
    both = (int.from_bytes(ours_seen, "little") & int.from_bytes(theirs_seen, "little")).to_bytes(
        n, "little"
    )
    paths = local.changed.keys() | remote.changed.keys()
    row = both.find(0)
    while row != -1:
        paths.add(records.paths[row])
        row = both.find(0, row + 1)
    found: dict[str, Record] = {}
    ours, theirs = local.changed, remote.changed
    index = records.index
    for path in paths:
        i = index.get(path)
        if i is None:
            continue
        record = found[path] = records.row(i)
        if ours_seen[i] and path not in ours:
            ours[path] = Stat(
                record.size, record.local_mtime_ns, None, None, ours_seen[i] == SEEN_EXECUTABLE
            )
        if theirs_seen[i] and path not in theirs:
            theirs[path] = Stat(
                record.size,
                record.remote_mtime_ns,
                None,
                record.etag,
                theirs_seen[i] == SEEN_EXECUTABLE,
            )
    return found, ours, theirs


class Change(enum.Enum):
    ABSENT = "absent"  # neither recorded nor there
    ADDED = "added"  # there, not recorded
    DELETED = "deleted"  # recorded, not there
    UNCHANGED = "unchanged"
    CHANGED = "changed"


def stat_matches(record: Record, stat: Stat, side: Side) -> bool:
    """Whether ``stat`` is what ``record`` says this side held, without looking at content."""
    if stat.size != record.size:
        return False
    if side is Side.REMOTE:
        if stat.etag is not None and record.etag is not None:
            return stat.etag == record.etag
        return stat.mtime_ns == record.remote_mtime_ns
    return stat.mtime_ns == record.local_mtime_ns


def change_of(record: Record | None, stat: Stat | None, side: Side) -> Change:
    if record is None:
        return Change.ABSENT if stat is None else Change.ADDED
    if stat is None:
        return Change.DELETED
    if stat.digest is not None:
        return Change.UNCHANGED if stat.digest == record.digest else Change.CHANGED
    return Change.UNCHANGED if stat_matches(record, stat, side) else Change.CHANGED


def to_hash(
    records: Mapping[str, Record],
    local: Mapping[str, Stat],
    remote: Mapping[str, Stat],
    *,
    checksum: bool = False,
) -> tuple[list[str], list[str]]:
    """The local and the remote paths to hash before planning, each sorted."""
    want_local: list[str] = []
    want_remote: list[str] = []
    local_side, remote_side = Side.LOCAL, Side.REMOTE
    for path in local.keys() | remote.keys():
        record = records.get(path)
        ours = local.get(path)
        theirs = remote.get(path)
        ours_moved = ours is not None and (
            record is None or not stat_matches(record, ours, local_side)
        )
        theirs_moved = theirs is not None and (
            record is None or not stat_matches(record, theirs, remote_side)
        )
        if not ours_moved and not theirs_moved and not checksum:
            continue
        hash_ours = (
            ours is not None
            and ours.digest is None
            and (checksum or (ours_moved and _touched(record, ours)))
        )
        hash_theirs = (
            theirs is not None
            and theirs.digest is None
            and (
                (checksum and not _etag_agrees(record, theirs))
                or (theirs_moved and _touched(record, theirs))
            )
        )
        if (
            ours is not None
            and theirs is not None
            and ours_moved
            and theirs_moved
            and ours.size == theirs.size
        ):
            hash_ours = hash_ours or ours.digest is None
            hash_theirs = hash_theirs or theirs.digest is None
        if hash_ours:
            want_local.append(path)
        if hash_theirs:
            want_remote.append(path)
    return sorted(want_local), sorted(want_remote)


def _touched(record: Record | None, stat: Stat) -> bool:
    """Recorded, same size, other mtime: only its content can tell whether it changed."""
    if record is None or stat.size != record.size:
        return False
    return stat.etag is None or record.etag is None


def _etag_agrees(record: Record | None, stat: Stat) -> bool:
    return (
        record is not None
        and stat.etag is not None
        and stat.etag == record.etag
        and stat.size == record.size
    )
