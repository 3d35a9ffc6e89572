"""The planner's decisions on hand-picked cases (the laws over random edits are in
tests/property/test_sync_laws.py)."""

from __future__ import annotations

from templsync._core.tree import blob_digest
from templsync.storage.changes import to_hash
from templsync.storage.model import (
    ActionKind,
    ConflictKind,
    ConflictStrategy,
    Record,
    Side,
    Stat,
    SyncDirection,
)
from templsync.storage.planner import merge_candidates, merge_texts, plan_sync
from templsync.storage.strategies import conflict_name


def stat(data: bytes, mtime: int = 1, *, hashed: bool = True) -> Stat:
    return Stat(len(data), mtime, blob_digest(data) if hashed else None)


def record(data: bytes, mtime: int = 1) -> Record:
    return Record(len(data), blob_digest(data), mtime, mtime)


def test_a_first_run_copies_one_sided_files_records_identical_ones_and_flags_the_rest() -> None:
    local = {"only-local": stat(b"l"), "same": stat(b"s"), "differs": stat(b"a", 5)}
    remote = {"only-remote": stat(b"r"), "same": stat(b"s"), "differs": stat(b"b", 3)}
    plan = plan_sync({}, local, remote)
    kinds = {a.path: a.kind for a in plan.actions}
    assert kinds == {
        "only-local": ActionKind.PUSH,
        "only-remote": ActionKind.PULL,
        "same": ActionKind.RECORD,
        "differs": ActionKind.PUSH,  # newest wins: local's mtime 5 > 3
    }
    [note] = plan.conflicts
    assert (note.path, note.kind, note.resolution) == (
        "differs",
        ConflictKind.BOTH_ADDED,
        "local-wins",
    )
    assert note["remote_mtime"] == 3e-9 and note.get("nothing") is None


def test_unchanged_paths_need_no_action_and_no_hash() -> None:
    records = {"a": record(b"x")}
    listed = {"a": stat(b"x", hashed=False)}
    assert plan_sync(records, listed, listed).actions == ()
    assert to_hash(records, listed, listed) == ([], [])


def test_only_a_touched_file_of_the_same_size_is_hashed() -> None:
    records = {"touched": record(b"x"), "grown": record(b"x")}
    local = {"touched": Stat(1, 9), "grown": Stat(2, 9)}
    remote = {"touched": Stat(1, 1), "grown": Stat(1, 1)}
    assert to_hash(records, local, remote) == (["touched"], [])
    assert to_hash(records, local, remote, checksum=True) == (
        ["grown", "touched"],
        ["grown", "touched"],
    )


def test_a_deletion_against_an_edit_is_a_conflict_the_edit_wins_under_newest_wins() -> None:
    records = {"f": record(b"old")}
    plan = plan_sync(records, {}, {"f": stat(b"new")})
    assert [(a.kind, a.path) for a in plan.actions] == [(ActionKind.PULL, "f")]
    assert plan.conflicts[0].kind is ConflictKind.DELETED_LOCALLY
    plan = plan_sync(records, {}, {"f": stat(b"new")}, strategy=ConflictStrategy.LOCAL_WINS)
    assert [(a.kind, a.path) for a in plan.actions] == [(ActionKind.DELETE_REMOTE, "f")]


def test_manual_leaves_the_conflict_and_syncs_the_rest() -> None:
    records = {"c": record(b"base"), "o": record(b"o")}
    local = {"c": stat(b"mine"), "o": stat(b"o2")}
    remote = {"c": stat(b"their"), "o": stat(b"o")}
    plan = plan_sync(records, local, remote, strategy=ConflictStrategy.MANUAL)
    assert [(a.kind, a.path) for a in plan.actions] == [(ActionKind.PUSH, "o")]
    assert [(c.path, c.resolution) for c in plan.conflicts] == [("c", "manual")]


def test_direction_filters_what_may_be_written() -> None:
    records = {"l": record(b"l"), "r": record(b"r")}
    local = {"l": stat(b"l2"), "r": stat(b"r")}
    remote = {"l": stat(b"l"), "r": stat(b"r2")}
    pull = plan_sync(records, local, remote, direction=SyncDirection.PULL)
    push = plan_sync(records, local, remote, direction=SyncDirection.PUSH)
    assert [(a.kind, a.path) for a in pull.actions] == [(ActionKind.PULL, "r")]
    assert [(a.kind, a.path) for a in push.actions] == [(ActionKind.PUSH, "l")]


def test_backup_both_names_the_loser_beside_the_file() -> None:
    records = {"docs/report.txt": record(b"b")}
    local = {"docs/report.txt": stat(b"l", 9)}
    remote = {"docs/report.txt": stat(b"r", 2)}
    plan = plan_sync(
        records, local, remote, strategy=ConflictStrategy.BACKUP_BOTH, stamp="20260101T000000Z"
    )
    [action] = plan.actions
    assert action.kind is ActionKind.KEEP_BOTH and action.winner is Side.LOCAL
    assert action.rename == "docs/report.conflict-remote-20260101T000000Z.txt"
    assert (
        conflict_name(".env", Side.LOCAL, "T", {".env.conflict-local-T"})
        == ".env.conflict-local-T-2"
    )


def test_merge_text_merges_clean_edits_and_leaves_overlapping_ones_to_the_strategy() -> None:
    base, ours, theirs = b"a\nb\nc\n", b"A\nb\nc\n", b"a\nb\nC\n"
    records = {"clean": record(base), "clash": record(base)}
    local = {"clean": stat(ours, 5), "clash": stat(b"X\nb\nc\n", 5)}
    remote = {"clean": stat(theirs, 3), "clash": stat(b"Y\nb\nc\n", 3)}
    texts = {blob_digest(base): base}
    paths = merge_candidates(records, local, remote, texts)
    assert paths == ["clash", "clean"]
    merged = merge_texts(
        dict.fromkeys(paths, base),
        {"clean": ours, "clash": b"X\nb\nc\n"},
        {"clean": theirs, "clash": b"Y\nb\nc\n"},
    )
    assert merged == {"clean": b"A\nb\nC\n"}
    plan = plan_sync(records, local, remote, merged=merged)
    assert {a.path: a.kind for a in plan.actions} == {
        "clean": ActionKind.MERGE,
        "clash": ActionKind.PUSH,
    }
    assert {c.path: c.resolution for c in plan.conflicts} == {
        "clean": "merged",
        "clash": "local-wins",
    }
