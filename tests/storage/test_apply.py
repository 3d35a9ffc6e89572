"""How a sync plan lands: one writer batch per side holding its deletions and its copies, whole
or not at all, and finished by the next run after a crash."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from storage.helpers import files
from templsync._io.apply import Recovery, pending_recovery, recover
from templsync.errors import StaleLockWarning
from templsync.storage.localstore import LocalStore
from templsync.storage.locations import location_key
from templsync.storage.model import SyncStrategy
from templsync.storage.run import sync_paths
from templsync.storage.state import StateFile
from templsync.storage.store import Write, WriteOutcome
from testing.forked import call_killed_at_file_size, call_with_file_size_limit
from testing.modules import modules_loaded_by, within
from testing.trees import build_tree

KEEP = {f"keep/k{i}.txt": f"kept {i}" for i in range(8)}


class RecordingStore(LocalStore):
    """A real folder that notes each batch handed to it: ``(path, deleted)`` pairs."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.batches: list[list[tuple[str, bool]]] = []

    def apply(self, writes: Sequence[Write], done: Callable[[Write, WriteOutcome], None]) -> None:
        self.batches.append(sorted((w.path, w.entry is None) for w in writes))
        super().apply(writes, done)


def synced(tmp_path: Path, more: dict[str, str]) -> tuple[Path, Path, SyncStrategy]:
    local = build_tree(tmp_path / "local", {**KEEP, **more})
    remote = tmp_path / "remote"
    strategy = SyncStrategy(state_dir=tmp_path / "state")
    sync_paths(local, remote, strategy)
    assert files(remote) == files(local)
    return local, remote, strategy


def test_a_two_way_change_lands_as_one_batch_per_side(tmp_path: Path) -> None:
    local, remote, strategy = synced(
        tmp_path, {"a/edit.txt": "a", "a/gone.txt": "g", "b/edit.txt": "b", "b/gone.txt": "g"}
    )
    (local / "a/edit.txt").write_text("edited locally")
    (local / "a/gone.txt").unlink()
    (local / "new.txt").write_text("new")
    (remote / "b/edit.txt").write_text("edited remotely")
    (remote / "b/gone.txt").unlink()
    ours, theirs = RecordingStore(local), RecordingStore(remote)

    result = sync_paths(local, remote, strategy, stores=(ours, theirs))

    assert theirs.batches == [[("a/edit.txt", False), ("a/gone.txt", True), ("new.txt", False)]]
    assert ours.batches == [[("b/edit.txt", False), ("b/gone.txt", True)]]
    assert (result.deleted_remote, result.deleted_local) == (("a/gone.txt",), ("b/gone.txt",))
    assert sorted(result.pushed) == ["a/edit.txt", "new.txt"] and result.pulled == ("b/edit.txt",)
    assert files(remote) == files(local)
    again = sync_paths(local, remote, strategy)
    assert not (again.pushed or again.pulled or again.deleted_local or again.deleted_remote)


def test_a_file_replacing_a_folder_and_a_folder_replacing_a_file_go_after_the_deletions(
    tmp_path: Path,
) -> None:
    local, remote, strategy = synced(tmp_path, {"x/y.txt": "in a folder", "z": "a file"})
    (local / "x/y.txt").unlink()
    (local / "x").rmdir()
    (local / "x").write_text("now a file")
    (local / "z").unlink()
    build_tree(local, {"z/w.txt": "now in a folder"})
    theirs = RecordingStore(remote)

    sync_paths(local, remote, strategy, stores=(LocalStore(local), theirs))

    assert theirs.batches == [[("x/y.txt", True), ("z", True)], [("x", False), ("z/w.txt", False)]]
    assert files(remote) == files(local)
    assert (remote / "x").is_file() and (remote / "z").is_dir()


def test_a_crash_inside_a_side_batch_is_rolled_back_whole_and_the_next_run_finishes(
    tmp_path: Path,
) -> None:
    more = {"pushed.txt": "p", "gone-remote.txt": "g", "pulled.bin": "small", "gone.txt": "g"}
    local, remote, strategy = synced(tmp_path, more)
    (local / "pushed.txt").write_text("edited locally")
    (local / "gone-remote.txt").unlink()
    (remote / "pulled.bin").write_bytes(b"x" * 300_000)
    (remote / "gone.txt").unlink()

    # The two sides' batches land at the same time; the local one is killed while its big
    # file is written.
    outcome = call_killed_at_file_size(lambda: sync_paths(local, remote, strategy), 100_000)

    assert outcome == "killed by SIGXFSZ"
    # Its deletion and its copy were one journal: rolled back together, nothing of it landed.
    assert pending_recovery(local) == Recovery("rolled-back", 2)
    assert (local / "gone.txt").read_text() == "g"
    # The remote side's batch is whole either way: landed, or finished or rolled back by recovery.
    recover(remote)
    pushed = {p: v for p, v in files(remote).items() if p in ("pushed.txt", "gone-remote.txt")}
    landed = pushed == {"pushed.txt": b"edited locally"}
    assert landed or pushed == {"pushed.txt": b"p", "gone-remote.txt": b"g"}
    with pytest.warns(StaleLockWarning):  # the killed run's lock
        result = sync_paths(local, remote, strategy)
    assert not [p for p in local.iterdir() if p.name.startswith(".templsync")]
    assert not [p for p in remote.iterdir() if p.name.startswith(".templsync")]
    assert (
        files(local)
        == files(remote)
        == {
            **{k: v.encode() for k, v in KEEP.items()},
            "pushed.txt": b"edited locally",
            "pulled.bin": b"x" * 300_000,
        }
    )
    # The killed run saved no state: what landed unrecorded is found in sync, nothing deleted.
    assert result.pulled == ("pulled.bin",) and result.deleted_local == ("gone.txt",)
    if landed:
        assert (result.pushed, result.deleted_remote) == ((), ())
    else:
        assert (result.pushed, result.deleted_remote) == (("pushed.txt",), ("gone-remote.txt",))


def test_a_failed_side_batch_lands_none_of_its_deletions(tmp_path: Path) -> None:
    local, remote, strategy = synced(tmp_path, {"big.bin": "small", "gone.txt": "g"})
    (local / "big.bin").write_bytes(b"x" * 200_000)
    (local / "gone.txt").unlink()

    outcome = call_with_file_size_limit(lambda: sync_paths(local, remote, strategy), 100_000)

    assert outcome.startswith("WriteError") and "Nothing was changed" in outcome
    assert (remote / "gone.txt").read_text() == "g" and (remote / "big.bin").read_text() == "small"
    assert not [p for p in remote.iterdir() if p.name.startswith(".templsync")]
    result = sync_paths(local, remote, strategy)
    assert (result.pushed, result.deleted_remote) == (("big.bin",), ("gone.txt",))
    assert files(remote) == files(local)


def test_when_one_side_fails_what_the_other_side_landed_meanwhile_is_recorded(
    tmp_path: Path,
) -> None:
    local, remote, strategy = synced(tmp_path, {"big.bin": "small", "pulled.txt": "old"})
    (local / "big.bin").write_bytes(b"x" * 200_000)
    (remote / "pulled.txt").write_text("edited remotely")
    assert strategy.state_dir is not None
    state = StateFile(strategy.state_dir, location_key(local), location_key(remote))

    outcome = call_with_file_size_limit(lambda: sync_paths(local, remote, strategy), 100_000)

    assert outcome.startswith("WriteError") and "Nothing was changed" in outcome
    assert (remote / "big.bin").read_text() == "small"
    assert (local / "pulled.txt").read_text() == "edited remotely"
    records = state.load().records
    assert records["pulled.txt"].size == len("edited remotely")
    assert records["big.bin"].size == len("small")
    result = sync_paths(local, remote, strategy)
    assert (result.pushed, result.pulled) == (("big.bin",), ())
    assert files(remote) == files(local)


def test_a_small_change_loads_the_writer_and_not_what_only_rarer_writes_need(
    tmp_path: Path,
) -> None:
    local, remote, strategy = synced(tmp_path, {"a.txt": "a", "b.txt": "b"})
    (local / "a.txt").write_text("edited locally")
    (remote / "b.txt").write_text("edited remotely")
    argv = ["sync", str(local), str(remote), "--state-dir", str(strategy.state_dir), "-q"]

    modules = modules_loaded_by(argv)

    assert files(remote) == files(local)
    assert (local / "b.txt").read_text() == "edited remotely"
    assert {"templsync._io.apply", "templsync.storage.apply"} <= modules
    # secrets (a token), shutil (a copy where no hard link can be made), difflib (--merge-text),
    # a thread pool (many or big files), ctypes and tempfile (syncfs, the stat cache)
    rarer = ("secrets", "shutil", "templsync._core.text", "concurrent.futures", "ctypes")
    assert {m for m in modules if within(m, (*rarer, "tempfile"))} == set()
