"""The sync planner, pure: base = the last sync's records, ours = the local listing, theirs = the
remote listing; out comes a :class:`SyncPlan`.

Rules this module keeps (per path, each side's change as :mod:`changes` finds it):

- One side changed (added, modified, deleted) and the other did not: the change is copied across.
- Both sides hold the same content (same digest), or both deleted it: the state records that.
- Anything else is a conflict: both changed differently, both added differently, or one deleted
  what the other changed. With ``merge_text``, two edits of a text file whose base content is
  known are merged line-wise by the engine's ``merge3``; a clean merge lands on both sides, a
  conflicting one falls back to the strategy (:mod:`strategies`).
- The direction only filters: ``push`` never writes the local side, ``pull`` never the remote.
  A change that cannot travel stays pending (its record is kept), so a later run still sees it.
- With no record at all (a first run, or ``resync``) there is no deletion: files on one side only
  are copied, identical files are recorded, differing ones are conflicts.
"""

from __future__ import annotations

from collections.abc import Mapping

from templsync.storage.changes import Change, change_of
from templsync.storage.model import (
    Action,
    ActionKind,
    ConflictKind,
    ConflictNote,
    ConflictStrategy,
    Record,
    Side,
    Stat,
    SyncDirection,
    SyncPlan,
)
from templsync.storage.strategies import conflict_name, winner

_QUIET = frozenset({Change.UNCHANGED, Change.ABSENT})


def plan_sync(
    records: Mapping[str, Record],
    local: Mapping[str, Stat],
    remote: Mapping[str, Stat],
    *,
    direction: SyncDirection = SyncDirection.BIDIRECTIONAL,
    strategy: ConflictStrategy = ConflictStrategy.NEWEST_WINS,
    stamp: str = "0",
    merged: Mapping[str, bytes] | None = None,
) -> SyncPlan:
    """The plan that brings ``local`` and ``remote`` together from ``records``.

    ``merged`` holds the clean line-wise merges of conflicting text files (from
    :func:`merge_texts`); ``stamp`` names the losers of ``backup-both``.
    """
    planner = _Planner(
        records,
        local,
        remote,
        direction=direction,
        strategy=strategy,
        stamp=stamp,
        merged=merged or {},
    )
    return planner.run()


def merge_candidates(
    records: Mapping[str, Record],
    local: Mapping[str, Stat],
    remote: Mapping[str, Stat],
    texts: Mapping[str, bytes],
) -> list[str]:
    """Paths changed differently on both sides whose base content is known (sorted)."""
    found = []
    for path, record in records.items():
        ours, theirs = local.get(path), remote.get(path)
        if ours is None or theirs is None or record.digest not in texts:
            continue
        a, b = change_of(record, ours, Side.LOCAL), change_of(record, theirs, Side.REMOTE)
        if a is Change.CHANGED and b is Change.CHANGED and not _same(ours, theirs):
            found.append(path)
    return sorted(found)


def merge_texts(
    base: Mapping[str, bytes], ours: Mapping[str, bytes], theirs: Mapping[str, bytes]
) -> dict[str, bytes]:
    """The paths of ``base`` that merge cleanly line-wise, with their merged content."""
    from templsync._core.merge import merge3  # noqa: PLC0415  # 11 ms: --merge-text only
    from templsync._core.tree import FileEntry, Tree  # noqa: PLC0415  # with merge3

    paths = sorted(base.keys() & ours.keys() & theirs.keys())

    def tree(side: Mapping[str, bytes]) -> Tree:
        return Tree({p: FileEntry.from_bytes(side[p]) for p in paths})

    result = merge3(tree(base), tree(ours), tree(theirs))
    return {
        p: result.tree[p].content()
        for p in paths
        if result.conflict_at(p) is None and p in result.tree
    }


def _same(a: Stat, b: Stat) -> bool:
    return a.digest is not None and a.digest == b.digest


class _Planner:
    def __init__(
        self,
        records: Mapping[str, Record],
        local: Mapping[str, Stat],
        remote: Mapping[str, Stat],
        *,
        direction: SyncDirection,
        strategy: ConflictStrategy,
        stamp: str,
        merged: Mapping[str, bytes],
    ) -> None:
        self.records = records
        self.local = local
        self.remote = remote
        self.strategy = strategy
        self.stamp = stamp
        self.merged = merged
        self.may_write = {
            Side.LOCAL: direction is not SyncDirection.PUSH,
            Side.REMOTE: direction is not SyncDirection.PULL,
        }
        self.actions: list[Action] = []
        self.conflicts: list[ConflictNote] = []
        self.taken: set[str] = set()

    def run(self) -> SyncPlan:
        records, local, remote = self.records, self.local, self.remote
        paths = local.keys() | remote.keys() | records.keys()
        self.taken = set(paths)
        for path in sorted(paths):
            record = records.get(path)
            ours = local.get(path)
            theirs = remote.get(path)
            a = change_of(record, ours, Side.LOCAL)
            b = change_of(record, theirs, Side.REMOTE)
            if a in _QUIET and b in _QUIET:
                if a is Change.UNCHANGED and b is Change.UNCHANGED and record is not None:
                    assert ours is not None and theirs is not None
                    if _stale(record, ours, theirs):
                        known = ours if ours.digest else ours.with_digest(record.digest)
                        self._add(ActionKind.RECORD, path, known, theirs)
                continue
            self._decide(path, a, b, ours, theirs)
        return SyncPlan(tuple(self.actions), tuple(self.conflicts))

    def _add(
        self,
        kind: ActionKind,
        path: str,
        ours: Stat | None,
        theirs: Stat | None,
        data: bytes | None = None,
    ) -> bool:
        """Add the action unless the direction forbids a side it writes; whether it was added."""
        if not all(self.may_write[side] for side in kind.writes):
            return False
        self.actions.append(Action(kind, path, ours, theirs, data=data))
        return True

    def _decide(
        self, path: str, a: Change, b: Change, ours: Stat | None, theirs: Stat | None
    ) -> None:
        if b in _QUIET:  # only the local side changed
            if a is Change.DELETED:
                self._add(ActionKind.DELETE_REMOTE, path, ours, theirs)
            else:
                self._add(ActionKind.PUSH, path, ours, theirs)
            return
        if a in _QUIET:  # only the remote side changed
            if b is Change.DELETED:
                self._add(ActionKind.DELETE_LOCAL, path, ours, theirs)
            else:
                self._add(ActionKind.PULL, path, ours, theirs)
            return
        if ours is None and theirs is None:
            self._add(ActionKind.FORGET, path, None, None)
            return
        if ours is not None and theirs is not None and _same(ours, theirs):
            self._add(ActionKind.RECORD, path, ours, theirs)
            return
        if ours is None:
            kind = ConflictKind.DELETED_LOCALLY
        elif theirs is None:
            kind = ConflictKind.DELETED_REMOTELY
        elif a is Change.ADDED:
            kind = ConflictKind.BOTH_ADDED
        else:
            kind = ConflictKind.BOTH_CHANGED
        self._conflict(path, kind, ours, theirs)

    def _conflict(
        self, path: str, kind: ConflictKind, ours: Stat | None, theirs: Stat | None
    ) -> None:
        data = self.merged.get(path)
        if data is not None and self._add(ActionKind.MERGE, path, ours, theirs, data):
            self._note(path, kind, ours, theirs, "merged")
            return
        side = winner(self.strategy, ours, theirs)
        if side is None:
            self._note(path, kind, ours, theirs, "manual")
            return
        both = ours is not None and theirs is not None
        if self.strategy is ConflictStrategy.BACKUP_BOTH and both:
            loser = side.other
            if self.may_write[loser]:
                rename = conflict_name(path, loser, self.stamp, self.taken)
                self.taken.add(rename)
                self.actions.append(
                    Action(ActionKind.KEEP_BOTH, path, ours, theirs, winner=side, rename=rename)
                )
                self._note(path, kind, ours, theirs, "kept-both")
                return
        won = ours if side is Side.LOCAL else theirs
        if side is Side.LOCAL:
            action = ActionKind.PUSH if won is not None else ActionKind.DELETE_REMOTE
        else:
            action = ActionKind.PULL if won is not None else ActionKind.DELETE_LOCAL
        done = self._add(action, path, ours, theirs)
        self._note(path, kind, ours, theirs, f"{side.value}-wins" if done else "skipped")

    def _note(
        self, path: str, kind: ConflictKind, ours: Stat | None, theirs: Stat | None, how: str
    ) -> None:
        self.conflicts.append(ConflictNote(path, kind, _seconds(ours), _seconds(theirs), how))


def _stale(record: Record, ours: Stat, theirs: Stat) -> bool:
    """Unchanged content whose record no longer matches the stats (a touch, or a racy entry)."""
    return (
        ours.mtime_ns != record.local_mtime_ns
        or theirs.mtime_ns != record.remote_mtime_ns
        or (theirs.etag is not None and theirs.etag != record.etag)
    )


def _seconds(stat: Stat | None) -> float | None:
    return None if stat is None else stat.mtime_ns / 1e9
