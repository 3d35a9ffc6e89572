"""Laws of the storage-sync planner: random edits on both sides after a sync, planned, played
on in-memory sides, and compared with a model of what each strategy must produce.

- The model: a path changed on one side only ends as that side has it; changed alike on both
  ends so; a conflict ends as the strategy says (a deletion loses to a modification under
  newest-wins and backup-both; manual touches nothing; backup-both keeps the loser beside it).
- No edit is lost except as the chosen strategy says: under manual and backup-both every version
  present after the edits is still somewhere afterwards.
- A second plan right after the first (state updated for what landed) has nothing to do.
- Setting aside, while listing, the paths both sides hold as recorded changes no plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from templsync._core.text import is_binary
from templsync._core.textmerge import merge_text
from templsync._core.tree import blob_digest
from templsync.storage.changes import scan_listing, to_plan
from templsync.storage.model import (
    ActionKind,
    ConflictStrategy,
    Record,
    Side,
    Stat,
    SyncDirection,
    SyncPlan,
)
from templsync.storage.planner import merge_candidates, merge_texts, plan_sync
from templsync.storage.records import NOTHING_KNOWN, Landed, Records

PATHS = ["a.txt", "b.txt", "d/c.txt", "d/e/f.bin"]
CONTENTS = [b"x\n", b"y\n", b"a\nb\nc\n", b"A\nb\nc\n", b"a\nb\nC\n", b"\0bin"]
Files = dict[str, bytes]

_edit = st.one_of(st.none(), st.sampled_from(["keep", "delete"]), st.sampled_from(CONTENTS))


@dataclass
class Case:
    base: Files
    local: Files
    remote: Files
    local_mtime: dict[str, int]
    remote_mtime: dict[str, int]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    base = draw(st.dictionaries(st.sampled_from(PATHS), st.sampled_from(CONTENTS)))

    def edited() -> Files:
        files = dict(base)
        for path in PATHS:
            edit = draw(_edit)
            if edit == "delete":
                files.pop(path, None)
            elif isinstance(edit, bytes):
                files[path] = edit
        return files

    local, remote = edited(), edited()
    times = st.integers(min_value=1, max_value=5)
    return Case(
        base,
        local,
        remote,
        {p: draw(times) for p in local},
        {p: draw(times) for p in remote},
    )


def stat(data: bytes, mtime: int) -> Stat:
    return Stat(len(data), mtime, blob_digest(data))


def record(data: bytes) -> Record:
    return Record(len(data), blob_digest(data), 0, 0)


def plan_case(
    case: Case, strategy: ConflictStrategy, direction: SyncDirection, *, merge: bool
) -> SyncPlan:
    records = {p: record(c) for p, c in case.base.items()}
    local = {p: stat(c, case.local_mtime[p]) for p, c in case.local.items()}
    remote = {p: stat(c, case.remote_mtime[p]) for p, c in case.remote.items()}
    merged: dict[str, bytes] = {}
    if merge:
        texts = {blob_digest(c): c for c in case.base.values() if not is_binary(c)}
        paths = merge_candidates(records, local, remote, texts)
        merged = merge_texts(
            {p: texts[records[p].digest] for p in paths},
            {p: case.local[p] for p in paths},
            {p: case.remote[p] for p in paths},
        )
    return plan_sync(
        records,
        local,
        remote,
        direction=direction,
        strategy=strategy,
        stamp="T",
        merged=merged,
    )


def play(plan: SyncPlan, local: Files, remote: Files, direction: SyncDirection) -> None:
    """Carry the plan out on the two sides (dicts), as the apply step does on real stores."""
    for action in plan.actions:
        path = action.path
        if action.kind is ActionKind.PUSH:
            remote[path] = local[path]
        elif action.kind is ActionKind.PULL:
            local[path] = remote[path]
        elif action.kind is ActionKind.DELETE_LOCAL:
            del local[path]
        elif action.kind is ActionKind.DELETE_REMOTE:
            del remote[path]
        elif action.kind is ActionKind.MERGE:
            assert action.data is not None
            local[path] = remote[path] = action.data
        elif action.kind is ActionKind.KEEP_BOTH:
            assert action.rename is not None and action.winner is not None
            sides = {Side.LOCAL: local, Side.REMOTE: remote}
            won, lost = sides[action.winner][path], sides[action.winner.other][path]
            for side, files in sides.items():
                if side is action.winner.other or may_write(direction, side):
                    files[action.rename] = lost
            sides[action.winner.other][path] = won


def may_write(direction: SyncDirection, side: Side) -> bool:
    forbidden = {SyncDirection.PUSH: Side.LOCAL, SyncDirection.PULL: Side.REMOTE}.get(direction)
    return side is not forbidden


def model(
    case: Case, strategy: ConflictStrategy, direction: SyncDirection, *, merge: bool
) -> tuple[Files, Files]:
    """What each side must hold afterwards, path by path."""
    local, remote = dict(case.local), dict(case.remote)
    for path in set(case.base) | set(case.local) | set(case.remote):
        b, ours, theirs = case.base.get(path), case.local.get(path), case.remote.get(path)
        if ours == theirs:
            continue
        if ours == b:
            want: dict[Side, bytes | None] = {Side.LOCAL: theirs, Side.REMOTE: theirs}
        elif theirs == b:
            want = {Side.LOCAL: ours, Side.REMOTE: ours}
        else:
            won = _model_winner(case, path, strategy)
            texts = (b, ours, theirs)
            text_merge = None
            if merge and all(t is not None and not is_binary(t) for t in texts):
                assert b is not None and ours is not None and theirs is not None
                text_merge = merge_text(b, ours, theirs)
            if (
                text_merge is not None
                and text_merge.clean
                and direction is SyncDirection.BIDIRECTIONAL
            ):
                data = text_merge.merged()
                want = {Side.LOCAL: data, Side.REMOTE: data}
            elif won is None:
                continue
            else:
                kept = ours if won is Side.LOCAL else theirs
                want = {Side.LOCAL: kept, Side.REMOTE: kept}
                lost = theirs if won is Side.LOCAL else ours
                backup_both = strategy is ConflictStrategy.BACKUP_BOTH
                if backup_both and ours is not None and theirs is not None:
                    if not may_write(direction, won.other):
                        continue
                    assert lost is not None
                    name = _conflict_name(path, won.other)
                    for side, files in ((Side.LOCAL, local), (Side.REMOTE, remote)):
                        if side is won.other or may_write(direction, side):
                            files[name] = lost
        for side, files in ((Side.LOCAL, local), (Side.REMOTE, remote)):
            if not may_write(direction, side):
                continue
            if want[side] is None:
                files.pop(path, None)
            else:
                files[path] = want[side]  # type: ignore[assignment]  # checked just above
    return local, remote


def _model_winner(case: Case, path: str, strategy: ConflictStrategy) -> Side | None:
    if strategy is ConflictStrategy.MANUAL:
        return None
    if strategy is ConflictStrategy.LOCAL_WINS:
        return Side.LOCAL
    if strategy is ConflictStrategy.REMOTE_WINS:
        return Side.REMOTE
    if path not in case.local:
        return Side.REMOTE
    if path not in case.remote:
        return Side.LOCAL
    return Side.LOCAL if case.local_mtime[path] >= case.remote_mtime[path] else Side.REMOTE


def _conflict_name(path: str, loser: Side) -> str:
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    renamed = f"{stem}.conflict-{loser.value}-T.{ext}" if dot else f"{name}.conflict-{loser}-T"
    return f"{folder}/{renamed}" if folder else renamed


def landed_records(plan: SyncPlan, local: Files, remote: Files) -> dict[str, Record | None]:
    """What the apply step records for the paths that landed (both sides now alike)."""
    landed: dict[str, Record | None] = {}
    for action in plan.actions:
        for path in filter(None, (action.path, action.rename)):
            ours, theirs = local.get(path), remote.get(path)
            if ours is not None and ours == theirs:
                landed[path] = record(ours)
            elif ours is None and theirs is None:
                landed[path] = None
    return landed


strategies = st.sampled_from(list(ConflictStrategy))
directions = st.sampled_from(list(SyncDirection))


@settings(max_examples=400, deadline=None)
@given(cases(), strategies, directions, st.booleans())
def test_the_plan_gives_what_the_model_says(
    case: Case, strategy: ConflictStrategy, direction: SyncDirection, merge: bool
) -> None:
    plan = plan_case(case, strategy, direction, merge=merge)
    local, remote = dict(case.local), dict(case.remote)
    play(plan, local, remote, direction)
    assert (local, remote) == model(case, strategy, direction, merge=merge)


@settings(max_examples=300, deadline=None)
@given(cases(), st.sampled_from([ConflictStrategy.MANUAL, ConflictStrategy.BACKUP_BOTH]))
def test_no_version_is_lost_under_manual_or_backup_both(
    case: Case, strategy: ConflictStrategy
) -> None:
    plan = plan_case(case, strategy, SyncDirection.BIDIRECTIONAL, merge=False)
    local, remote = dict(case.local), dict(case.remote)
    play(plan, local, remote, SyncDirection.BIDIRECTIONAL)
    edits = {
        c for side in (case.local, case.remote) for p, c in side.items() if case.base.get(p) != c
    }
    assert edits <= {*local.values(), *remote.values()}
    if strategy is ConflictStrategy.BACKUP_BOTH:
        assert local == remote


@settings(max_examples=300, deadline=None)
@given(cases(), strategies, directions, st.booleans())
def test_a_second_run_has_nothing_to_do(
    case: Case, strategy: ConflictStrategy, direction: SyncDirection, merge: bool
) -> None:
    plan = plan_case(case, strategy, direction, merge=merge)
    local, remote = dict(case.local), dict(case.remote)
    play(plan, local, remote, direction)
    landed = Landed()
    for path, landed_record in landed_records(plan, local, remote).items():
        landed.add(path, landed_record)
    records = Records.of({p: record(c) for p, c in case.base.items()}).after(landed)
    again = plan_sync(
        records,
        {p: stat(c, _kept_mtime(p, c, case.local, case.local_mtime)) for p, c in local.items()},
        {p: stat(c, _kept_mtime(p, c, case.remote, case.remote_mtime)) for p, c in remote.items()},
        direction=direction,
        strategy=strategy,
        stamp="T2",
    )
    assert [a for a in again.actions if a.kind is not ActionKind.RECORD] == []
    if direction is SyncDirection.BIDIRECTIONAL and strategy is not ConflictStrategy.MANUAL:
        assert local == remote


def _kept_mtime(path: str, content: bytes, before: Files, mtimes: dict[str, int]) -> int:
    """A file the run did not touch keeps its mtime; one it wrote has a new one."""
    return mtimes[path] if before.get(path) == content else 9


@settings(max_examples=300, deadline=None)
@given(cases(), strategies, directions)
def test_setting_aside_the_paths_in_sync_changes_no_plan(
    case: Case, strategy: ConflictStrategy, direction: SyncDirection
) -> None:
    records = Records.of({p: record(c) for p, c in case.base.items()})

    def listed(side: Files, mtimes: dict[str, int]) -> dict[str, Stat]:
        """Files the edits kept are as recorded (no digest, the recorded mtime)."""
        return {
            p: Stat(len(c), 0) if case.base.get(p) == c and mtimes[p] % 2 else stat(c, mtimes[p])
            for p, c in side.items()
        }

    local = listed(case.local, case.local_mtime)
    remote = listed(case.remote, case.remote_mtime)
    full = plan_sync(records, local, remote, direction=direction, strategy=strategy, stamp="T")
    ours = scan_listing(dict(local), records.known(Side.LOCAL))
    theirs = scan_listing(dict(remote), records.known(Side.REMOTE))
    base, local_part, remote_part = to_plan(records, ours, theirs)
    part = plan_sync(
        base, local_part, remote_part, direction=direction, strategy=strategy, stamp="T"
    )
    assert part == full
    in_sync = {p for p in records if p not in base}
    assert all(local.get(p) == remote.get(p) == Stat(records[p].size, 0) for p in in_sync)
    assert (ours.count, theirs.count) == (len(local), len(remote))
    nothing_known = to_plan(
        records, scan_listing(dict(local), NOTHING_KNOWN), scan_listing(dict(remote), NOTHING_KNOWN)
    )
    assert nothing_known == (dict(records), local, remote)  # as with --checksum: every path
