"""Recovery from every state an interrupted apply can leave, built with the writer's own steps."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from io_helpers import folders, snapshot

from templsync._core.plan import OpKind, Plan, make_plan
from templsync._core.tree import FileEntry, Mode, Tree
from templsync._io import JOURNAL_DIR, Recovery, apply_plan, read_tree, recover
from templsync._io.journal import COMMITTED, ROLLBACK, Journal, Record
from templsync._io.replay import roll_back, roll_forward
from templsync.errors import JournalError
from testing.interrupted import stop_before_commit
from testing.trees import build_tree

OLD = {
    "keep": "k",
    "update": "old",
    "delete/me": "d",
    "file-to-folder": "f",
    "folder-to-file/x": "x",
    "chmod": "c",
}


def new_tree() -> Tree:
    tree = Tree.from_texts(
        {
            "keep": "k",
            "update": "new",
            "file-to-folder/inside": "i",
            "folder-to-file": "now a file",
            "chmod": "c",
            "created/deep/file": "n",
        }
    )
    return tree.replace({"chmod": tree["chmod"].with_mode(Mode.EXECUTABLE)})


def start(root: Path, target: Tree | None = None) -> tuple[Plan, Record]:
    """Build OLD under ``root`` and run apply's steps up to (not including) the commit point."""
    return stop_before_commit(root, OLD, target or new_tree())


def forward_halfway(record: Record) -> Record:
    """What finishing ``record`` has done when stopped halfway through its renames.

    Finishing goes: deletions, emptied folders, new folders, then renames and chmods in order.
    """
    later = [op for op in record.ops if op.kind is not OpKind.DELETE]
    undone = set(later[len(later) // 2 :])
    return dataclasses.replace(record, ops=tuple(op for op in record.ops if op not in undone))


def backward_halfway(record: Record) -> Record:
    """What rolling ``record`` back has done when stopped halfway through restoring backups.

    Rolling back goes: new files and temp files removed, new folders removed, emptied folders
    made again, then each backup restored in order.
    """
    restored = [op for op in record.ops if op.backup is not None]
    undone = set(restored[len(restored) // 2 :])
    return dataclasses.replace(record, ops=tuple(op for op in record.ops if op not in undone))


def assert_old(root: Path) -> None:
    assert read_tree(root) == Tree.from_texts(OLD)
    assert folders(root) == {"delete", "folder-to-file"}


def assert_new(root: Path) -> None:
    assert read_tree(root) == new_tree()
    assert folders(root) == {"file-to-folder", "created", "created/deep"}


def test_nothing_to_recover(workdir: Path) -> None:
    assert recover(workdir) is None


def test_stopped_before_the_record_was_written(workdir: Path) -> None:
    build_tree(workdir, OLD)
    (workdir / JOURNAL_DIR).mkdir()
    (workdir / JOURNAL_DIR / "journal.json.tmp").write_text('{"half a rec')

    assert recover(workdir) == Recovery("rolled-back", 0)
    assert_old(workdir)
    assert not (workdir / JOURNAL_DIR).exists()


def test_stopped_before_the_commit_point(tmp_path: Path) -> None:
    workdir = tmp_path / "root"
    plan, _ = start(workdir)
    assert [p for p in snapshot(workdir) if p.startswith(".templsync-")]  # temp files are there

    assert recover(workdir) == Recovery("rolled-back", len(plan))
    assert_old(workdir)
    assert snapshot(workdir) == snapshot(build_tree(tmp_path / "fresh", OLD))


def test_stopped_right_after_the_commit_point(workdir: Path) -> None:
    plan, _ = start(workdir)
    Journal(workdir).mark(COMMITTED)

    assert recover(workdir) == Recovery("finished", len(plan))
    assert_new(workdir)
    assert recover(workdir) is None


def test_stopped_halfway_through_finishing(workdir: Path) -> None:
    plan, record = start(workdir)
    Journal(workdir).mark(COMMITTED)
    roll_forward(workdir, forward_halfway(record))

    assert recover(workdir) == Recovery("finished", len(plan))
    assert_new(workdir)


def test_stopped_while_removing_the_journal_after_finishing(workdir: Path) -> None:
    _, record = start(workdir)
    journal = Journal(workdir)
    journal.mark(COMMITTED)
    roll_forward(workdir, record)
    (journal.path / "journal.json").unlink()

    assert recover(workdir) == Recovery("finished", 0)
    assert_new(workdir)
    assert not journal.path.exists()


def test_finishing_twice_is_finishing_once(workdir: Path) -> None:
    plan, record = start(workdir)
    Journal(workdir).mark(COMMITTED)
    roll_forward(workdir, record)
    roll_forward(workdir, record)

    assert recover(workdir) == Recovery("finished", len(plan))
    assert_new(workdir)


def test_stopped_halfway_through_a_rollback(workdir: Path) -> None:
    plan, record = start(workdir)
    journal = Journal(workdir)
    journal.mark(COMMITTED)
    roll_forward(workdir, record)
    journal.mark(ROLLBACK)
    roll_back(workdir, backward_halfway(record))

    assert recover(workdir) == Recovery("rolled-back", len(plan))
    assert_old(workdir)
    assert not journal.path.exists()


@pytest.mark.parametrize("forward", ["none", "half", "all"])
def test_rolling_back_twice_is_rolling_back_once(workdir: Path, forward: str) -> None:
    _, record = start(workdir)
    journal = Journal(workdir)
    journal.mark(COMMITTED)
    if forward != "none":
        roll_forward(workdir, forward_halfway(record) if forward == "half" else record)
    journal.mark(ROLLBACK)
    roll_back(workdir, record)
    roll_back(workdir, record)

    assert recover(workdir) is not None
    assert_old(workdir)


def test_when_finishing_fails_recovery_rolls_back(workdir: Path) -> None:
    # The name is too long for the file system: the last rename fails when recovery finishes.
    target = new_tree().replace({"z" * 300: FileEntry.from_bytes(b"x")})
    plan, record = start(workdir, target)
    Journal(workdir).mark(COMMITTED)
    roll_forward(workdir, forward_halfway(record))

    assert recover(workdir) == Recovery("rolled-back", len(plan))
    assert_old(workdir)


def test_a_damaged_journal_is_kept_and_reported(workdir: Path) -> None:
    start(workdir)
    journal = Journal(workdir)
    (journal.path / "journal.json").write_text('{"version": 1, "ops": [')

    with pytest.raises(JournalError, match="damaged"):
        recover(workdir)
    assert journal.path.exists()


@pytest.mark.parametrize(
    "bad_path", ["../outside", "/etc/passwd", f"{JOURNAL_DIR}/backup/0", "a/./b"]
)
def test_a_journal_naming_paths_outside_its_plan_is_refused(workdir: Path, bad_path: str) -> None:
    _, record = start(workdir)
    journal = Journal(workdir)
    ops = (dataclasses.replace(record.ops[0], path=bad_path), *record.ops[1:])
    journal.write_record(dataclasses.replace(record, ops=ops))

    with pytest.raises(JournalError, match="damaged"):
        recover(workdir)


def test_a_journal_with_a_foreign_temp_file_is_refused(workdir: Path) -> None:
    _, record = start(workdir)
    journal = Journal(workdir)
    writes = [i for i, op in enumerate(record.ops) if op.temp is not None]
    ops = list(record.ops)
    ops[writes[0]] = dataclasses.replace(ops[writes[0]], temp="keep")
    journal.write_record(dataclasses.replace(record, ops=tuple(ops)))

    with pytest.raises(JournalError, match="damaged"):
        recover(workdir)
    assert (workdir / "keep").read_text() == "k"


def test_apply_then_recover_finds_nothing(workdir: Path) -> None:
    build_tree(workdir, OLD)
    apply_plan(workdir, make_plan(read_tree(workdir), new_tree()))

    assert recover(workdir) is None
    assert_new(workdir)


def test_a_rollback_keeps_a_folder_it_made_that_holds_something_now(workdir: Path) -> None:
    record = Record("t0k3n", (), created_dirs=("made", "made/empty", "filled"))
    for folder in record.created_dirs:
        (workdir / folder).mkdir()
    build_tree(workdir, {"filled/theirs.txt": "put here by someone else"})

    roll_back(workdir, record)

    assert folders(workdir) == {"filled"}
    assert read_tree(workdir) == Tree.from_texts({"filled/theirs.txt": "put here by someone else"})
