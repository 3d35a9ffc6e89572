"""`templsync sync` against S3 over real HTTP: moto's server and `rclone serve s3`, each a
separate process on a loopback port."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from storage.helpers import files, run_cli, run_json
from templsync.storage import ConflictStrategy, SyncDirection, SyncStrategy, sync
from testing.trees import build_tree


def remote_files(s3: Any, root: str) -> dict[str, bytes]:
    s3.invalidate_cache()
    found = s3.find(root)
    return {key[len(root) + 1 :]: s3.cat_file(key) for key in found}


def test_a_folder_and_a_bucket_prefix_stay_in_sync(
    bucket: str, s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, state = tmp_path / "local", tmp_path / "state"
    url = f"s3://{bucket}/team/templates"
    names: dict[str, str | bytes] = {
        "a.txt": "a",
        "with space/é.txt": "unicode",
        "deep/er/x.bin": b"\0\1\2",
    }
    build_tree(local, names)
    s3.pipe_file(f"{bucket}/team/templates/from-remote.txt", b"r")
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    assert code == 0
    assert result["pulled"] == ["from-remote.txt"]
    assert sorted(result["pushed"]) == sorted(names)
    assert remote_files(s3, f"{bucket}/team/templates") == files(local)
    # No change: nothing moves.
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    assert (code, result["pushed"], result["pulled"]) == (0, [], [])
    # A remote edit and a remote deletion come back; a local edit goes out.
    s3.pipe_file(f"{bucket}/team/templates/a.txt", b"edited remotely")
    s3.rm_file(f"{bucket}/team/templates/deep/er/x.bin")
    (local / "from-remote.txt").write_text("edited locally")
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    assert code == 0
    assert result["pulled"] == ["a.txt"]
    assert result["deleted_local"] == ["deep/er/x.bin"]
    assert result["pushed"] == ["from-remote.txt"]
    assert remote_files(s3, f"{bucket}/team/templates") == files(local)
    assert not (local / "deep").exists()
    assert not [k for k in s3.find(bucket) if ".templsync-" in k]


def test_conflicts_against_s3_follow_the_strategy(
    bucket: str, s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, state = tmp_path / "local", tmp_path / "state"
    url = f"s3://{bucket}/p"
    build_tree(local, {"c.txt": "base"})
    run_json(capsys, "sync", local, url, "--state-dir", state)
    (local / "c.txt").write_text("mine")
    s3.pipe_file(f"{bucket}/p/c.txt", b"theirs")
    code, out, _ = run_cli(capsys, "sync", local, url, "--state-dir", state, "--conflict", "manual")
    assert code == 2 and "c.txt" in out
    code, result = run_json(
        capsys, "sync", local, url, "--state-dir", state, "--conflict", "local-wins"
    )
    assert code == 0 and result["pushed"] == ["c.txt"]
    assert remote_files(s3, f"{bucket}/p") == {"c.txt": b"mine"}


def test_the_library_face_runs_the_seed_example(bucket: str, s3: Any, tmp_path: Path) -> None:
    local = build_tree(tmp_path / "templates", {"base.html": "<html/>"})
    s3.pipe_file(f"{bucket}/templates/page.html", b"<p/>")
    strategy = SyncStrategy(
        direction=SyncDirection.BIDIRECTIONAL,
        conflict_strategy=ConflictStrategy.NEWEST_WINS,
        backup_on_conflict=True,
        state_dir=tmp_path / "state",
    )
    result = asyncio.run(sync.paths(local, f"s3://{bucket}/templates", strategy=strategy))
    assert result.synced_items == ("base.html", "page.html")
    assert not result.has_conflicts and result.backed_up == ()
    assert files(local) == remote_files(s3, f"{bucket}/templates")
