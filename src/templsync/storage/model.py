"""What a storage sync works with: listings, the last-sync state, plans and results, as values.

- A :class:`Stat` is one file as a listing saw it (size, mtime, and a digest or the store's etag
  when known). A listing is a plain ``dict[str, Stat]`` keyed by relative POSIX path.
- A :class:`Record` is one path as the last successful sync left it on both sides: the size and
  digest both sides shared, each side's mtime, the remote's etag. The state maps paths to
  records (:mod:`records` keeps them column by column); it is the base of the three-way
  decision (ours = local, theirs = remote).
- A :class:`SyncPlan` is the planner's answer: :class:`Action` s to carry out and
  :class:`ConflictNote` s saying how each conflict was resolved. Applying it gives a
  :class:`SyncResult`.

The names the public API shares with the FastBlocks sync action (``SyncStrategy``,
``SyncDirection``, ``ConflictStrategy``, ``synced_items``, ``conflicts``, ``backed_up``) keep that
action's spelling, so its examples run; a conflict reads as a mapping too (``c["path"]``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

RACY = -1
"""A recorded mtime that matches nothing: the file is hashed on the next run (see ``state``)."""


class SyncDirection(enum.StrEnum):
    PULL = "pull"  # remote changes land locally; local changes wait
    PUSH = "push"  # local changes land remotely; remote changes wait
    BIDIRECTIONAL = "both"


class ConflictStrategy(enum.StrEnum):
    REMOTE_WINS = "remote-wins"
    LOCAL_WINS = "local-wins"
    NEWEST_WINS = "newest-wins"
    MANUAL = "manual"
    BACKUP_BOTH = "backup-both"


class Side(enum.StrEnum):
    LOCAL = "local"
    REMOTE = "remote"

    @property
    def other(self) -> Side:
        return Side.REMOTE if self is Side.LOCAL else Side.LOCAL


@dataclass(frozen=True, slots=True)
class Stat:
    """One file as a listing (or a write) saw it. ``digest`` is its git blob id when it was
    hashed; ``etag`` the store's own checksum when the store gives one."""

    size: int
    mtime_ns: int
    digest: str | None = None
    etag: str | None = None
    executable: bool = False

    def with_digest(self, digest: str) -> Stat:
        return Stat(self.size, self.mtime_ns, digest, self.etag, self.executable)


Listing = dict[str, Stat]


@dataclass(frozen=True, slots=True)
class Record:
    """One path as the last sync left it: both sides held ``size`` bytes with ``digest``."""

    size: int
    digest: str
    local_mtime_ns: int
    remote_mtime_ns: int
    etag: str | None = None


@dataclass(frozen=True)
class SyncStrategy:
    """How to sync: the FastBlocks names, plus the options of ``templsync sync``.

    ``backup_on_conflict`` keeps every file a sync overwrites or deletes under ``backup_dir``
    (default: ``.templsync-backups`` in the state folder). ``parallel`` / ``max_concurrent``
    bound the transfers running at once; ``timeout``, ``retry_attempts`` and ``retry_delay``
    (doubled after each try) apply to every remote call.
    """

    direction: SyncDirection = SyncDirection.BIDIRECTIONAL
    conflict_strategy: ConflictStrategy = ConflictStrategy.NEWEST_WINS
    dry_run: bool = False
    backup_on_conflict: bool = False
    parallel: bool = True
    max_concurrent: int = 8
    timeout: float = 30.0
    retry_attempts: int = 2
    retry_delay: float = 0.5
    merge_text: bool = False
    checksum: bool = False
    resync: bool = False
    max_delete: float = 50.0
    force: bool = False
    backup_dir: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    state_dir: Path | None = None
    lock_timeout: float = 3600.0

    @property
    def jobs(self) -> int:
        return max(1, self.max_concurrent) if self.parallel else 1


class ActionKind(enum.StrEnum):
    PUSH = "push"  # copy local -> remote
    PULL = "pull"  # copy remote -> local
    DELETE_LOCAL = "delete-local"
    DELETE_REMOTE = "delete-remote"
    MERGE = "merge"  # the merged text written to both sides
    KEEP_BOTH = "keep-both"  # winner at the path on both sides, loser under ``rename``
    RECORD = "record"  # both sides hold the same file: record it
    FORGET = "forget"  # gone from both sides: drop its record

    @property
    def writes(self) -> tuple[Side, ...]:
        """The sides this action changes."""
        return _WRITES[self]


_WRITES = {
    ActionKind.PUSH: (Side.REMOTE,),
    ActionKind.PULL: (Side.LOCAL,),
    ActionKind.DELETE_LOCAL: (Side.LOCAL,),
    ActionKind.DELETE_REMOTE: (Side.REMOTE,),
    ActionKind.MERGE: (Side.LOCAL, Side.REMOTE),
    ActionKind.KEEP_BOTH: (Side.LOCAL, Side.REMOTE),
    ActionKind.RECORD: (),
    ActionKind.FORGET: (),
}


@dataclass(frozen=True, slots=True)
class Action:
    """One step of a plan. ``local`` and ``remote`` are the files as listed (what each side must
    still hold when the step runs); ``winner`` and ``rename`` are set for ``KEEP_BOTH``;
    ``data`` is the merged text of a ``MERGE``."""

    kind: ActionKind
    path: str
    local: Stat | None
    remote: Stat | None
    winner: Side | None = None
    rename: str | None = None
    data: bytes | None = field(default=None, repr=False)


class ConflictKind(enum.StrEnum):
    BOTH_CHANGED = "both-changed"
    BOTH_ADDED = "both-added"
    DELETED_LOCALLY = "deleted-locally"  # and changed remotely
    DELETED_REMOTELY = "deleted-remotely"  # and changed locally
    CHANGED_DURING_RUN = "changed-during-run"


@dataclass(frozen=True)
class ConflictNote:
    """A conflict and how it was resolved: ``local-wins``, ``remote-wins``, ``merged``,
    ``kept-both`` or ``manual`` (left untouched on both sides)."""

    path: str
    kind: ConflictKind
    local_mtime: float | None
    remote_mtime: float | None
    resolution: str

    # Read as a mapping too, as the FastBlocks examples do (``conflict["path"]``).
    def __getitem__(self, key: str) -> object:
        if key not in _NOTE_KEYS:
            raise KeyError(key)
        value: object = getattr(self, key)
        return value

    def get(self, key: str, default: object = None) -> object:
        return self[key] if key in _NOTE_KEYS else default

    def keys(self) -> Iterator[str]:
        return iter(_NOTE_KEYS)


LEFT = "left"
"""The resolution of a file that changed during the run: left as it is on both sides."""

_NOTE_KEYS = ("path", "kind", "local_mtime", "remote_mtime", "resolution")
assert set(_NOTE_KEYS) == {f.name for f in fields(ConflictNote)}


@dataclass(frozen=True)
class SyncPlan:
    actions: tuple[Action, ...]
    conflicts: tuple[ConflictNote, ...]

    def of(self, *kinds: ActionKind) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.kind in kinds)


@dataclass(frozen=True)
class SyncResult:
    """What a sync did (or, with ``dry_run``, would do).

    ``synced_items`` lists every path copied or merged, either way; ``pushed`` / ``pulled`` each
    way; ``deleted_local`` / ``deleted_remote`` the deletions; ``conflicts`` how each conflict was
    resolved; ``backed_up`` where each overwritten or deleted file was kept; ``bytes_sent`` /
    ``bytes_received`` the bytes written to the remote and to the local folder.
    """

    pushed: tuple[str, ...] = ()
    pulled: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    deleted_local: tuple[str, ...] = ()
    deleted_remote: tuple[str, ...] = ()
    conflicts: tuple[ConflictNote, ...] = ()
    backed_up: tuple[str, ...] = ()
    bytes_sent: int = 0
    bytes_received: int = 0
    dry_run: bool = False

    @property
    def synced_items(self) -> tuple[str, ...]:
        return tuple(sorted({*self.pushed, *self.pulled, *self.merged}))

    @property
    def has_conflicts(self) -> bool:
        return bool(self.conflicts)

    @property
    def unresolved(self) -> tuple[ConflictNote, ...]:
        """The conflicts left untouched: ``manual`` ones, and files that changed during the run
        (``left`` for the next run)."""
        return tuple(c for c in self.conflicts if c.resolution in ("manual", LEFT))

    @property
    def in_sync(self) -> bool:
        return not self.unresolved
