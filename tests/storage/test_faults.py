"""Faults: the server killed mid-run, a permission denied, a file changed during the run.
Each ends in a clean error or a conflict, nothing lost, and the next run finishes the job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage.helpers import files, run_cli, run_json
from storage.servers import Server
from templsync._core.ignore import IgnoreRules
from templsync.progress import no_progress
from templsync.storage.localstore import LocalStore
from templsync.storage.model import ConflictStrategy, Stat, SyncStrategy
from templsync.storage.run import sync_paths
from templsync.storage.store import Write, WriteOutcome
from testing.forked import call_unprivileged
from testing.trees import build_tree


@pytest.mark.parametrize("s3_server", ["rclone"], indirect=True)  # keeps its objects on disk
def test_a_server_killed_mid_run_fails_cleanly_and_the_next_run_finishes(
    bucket: str, s3: Any, s3_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, state = tmp_path / "local", tmp_path / "state"
    build_tree(local, {f"f{i:03}.txt": f"file {i}" for i in range(40)})
    url = f"s3://{bucket}/p"
    sent = 0

    def kill_after_some(stage: str, done: int, _total: int) -> None:
        nonlocal sent
        if stage == "transfer":
            sent = done
            if done == 10:
                s3_server.kill()

    strategy = SyncStrategy(
        state_dir=state, retry_attempts=1, retry_delay=0.01, timeout=2, max_concurrent=1
    )
    with pytest.raises(Exception, match="after 2 tries") as caught:
        sync_paths(local, url, strategy, progress=kill_after_some)
    assert "Nothing is lost" in str(caught.value)
    assert files(local) == {f"f{i:03}.txt": f"file {i}".encode() for i in range(40)}
    s3_server.restart()
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    # What landed before the kill was recorded; the rest goes now; nothing is deleted.
    assert code == 0 and 0 < len(result["pushed"]) <= 30 and result["deleted_local"] == []
    s3.invalidate_cache()
    # Temporary keys of the interrupted uploads may remain (swept once stale), never synced.
    assert len([k for k in s3.find(f"{bucket}/p") if "/.templsync-" not in k]) == 40
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    assert (code, result["pushed"], result["pulled"], result["deleted_local"]) == (0, [], [], [])


def test_a_file_changed_during_the_run_is_left_for_the_next_run(tmp_path: Path) -> None:
    local = build_tree(tmp_path / "local", {"a.txt": "one", "b.txt": "b"})
    remote = tmp_path / "remote"
    strategy = SyncStrategy(state_dir=tmp_path / "state")
    sync_paths(local, remote, strategy)
    (remote / "a.txt").write_text("remote edit")

    class EditingStore(LocalStore):
        """A real folder whose file is edited by someone else right before it is overwritten."""

        def apply(self, writes: Any, done: Any) -> None:
            (self.root / "a.txt").write_text("local edit, made while syncing")
            super().apply(writes, done)

    result = sync_paths(local, remote, strategy, stores=(EditingStore(local), LocalStore(remote)))
    assert [(c.path, c.resolution) for c in result.conflicts] == [("a.txt", "left")]
    assert (local / "a.txt").read_text() == "local edit, made while syncing"
    assert (remote / "a.txt").read_text() == "remote edit"
    local_wins = ConflictStrategy.LOCAL_WINS
    again = sync_paths(
        local, remote, SyncStrategy(state_dir=tmp_path / "state", conflict_strategy=local_wins)
    )
    assert again.pushed == ("a.txt",) and (remote / "a.txt").read_text().startswith("local edit")


def test_permission_denied_is_a_clear_error_and_changes_nothing(
    public_dir: Path,
) -> None:
    local = build_tree(public_dir / "local", {"a.txt": "a", "locked/b.txt": "b"})
    remote = build_tree(public_dir / "remote", {})
    state = public_dir / "state"
    for path in (local, remote, local / "locked"):
        path.chmod(0o777)
    (local / "a.txt").chmod(0o644)
    (local / "locked").chmod(0o000)
    state.mkdir()
    state.chmod(0o777)

    def run() -> object:
        return sync_paths(local, remote, SyncStrategy(state_dir=state))

    outcome = call_unprivileged(run)
    assert (
        outcome.startswith("ReadError") and "locked" in outcome and "Permission denied" in outcome
    )
    (local / "locked").chmod(0o755)
    assert files(remote) == {}


def test_a_full_disk_fails_the_batch_and_keeps_the_folder_as_it_was(tmp_path: Path) -> None:
    from testing.forked import call_with_file_size_limit

    local = build_tree(tmp_path / "local", {"small.txt": "s", "big.bin": b"x" * 200_000})
    remote = build_tree(tmp_path / "remote", {"keep.txt": "k"})

    def run() -> object:
        return sync_paths(local, remote, SyncStrategy(state_dir=tmp_path / "state"))

    outcome = call_with_file_size_limit(run, 100_000)
    assert outcome.startswith("WriteError") and "Nothing was changed" in outcome
    assert files(remote) == {"keep.txt": b"k"}
    assert not [p for p in remote.iterdir() if p.name.startswith(".templsync")]
    sync_paths(local, remote, SyncStrategy(state_dir=tmp_path / "state"))
    assert files(remote) == {**files(local), "keep.txt": b"k"}


def test_a_store_reports_a_target_changed_since_listing(tmp_path: Path) -> None:
    store = LocalStore(build_tree(tmp_path / "r", {"a": "1"}))
    listed = store.listing(IgnoreRules(), no_progress)
    (tmp_path / "r/a").write_text("22")
    seen: list[WriteOutcome] = []
    store.apply(
        [Write.of("a", b"new", listed["a"]), Write.of("b", b"b", Stat(1, 1))],
        lambda _w, o: seen.append(o),
    )
    assert seen == ["changed", "changed"]
    assert (tmp_path / "r/a").read_text() == "22" and not (tmp_path / "r/b").exists()
    assert run_cli is not None


@pytest.mark.parametrize("count", [5, 80])  # hashed by this thread, and by a pool
def test_a_file_edited_while_it_is_hashed_is_left_for_the_next_run(
    tmp_path: Path, count: int
) -> None:
    same = {f"d{i % 3}/f{i:03}.txt": f"same {i:03}".encode() for i in range(count)}
    local = build_tree(tmp_path / "local", same)
    remote = build_tree(tmp_path / "remote", same)
    strategy = SyncStrategy(state_dir=tmp_path / "state")

    class EditedWhileHashed(LocalStore):
        """A real folder whose file is edited by someone else as it is being hashed."""

        def hash(self, path: str, listed: Stat) -> Stat:
            if path == "d1/f004.txt":
                (self.root / path).write_text("edited!!")
            return super().hash(path, listed)

    stores = (EditedWhileHashed(local), LocalStore(remote))
    result = sync_paths(local, remote, strategy, stores=stores)
    assert [(c.path, c.kind, c.resolution) for c in result.conflicts] == [
        ("d1/f004.txt", "changed-during-run", "left")
    ]
    assert (result.pushed, result.pulled) == ((), ())
    again = sync_paths(local, remote, strategy)  # still unrecorded: the newer edit wins
    assert again.pushed == ("d1/f004.txt",) and again.pulled == ()
    assert files(remote) == files(local) == {**same, "d1/f004.txt": b"edited!!"}
