"""`templsync sync` on two real folders: the fast path, end to end through the CLI."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from storage.helpers import files, folders, run_cli, run_json, set_mtime
from testing.trees import build_tree


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    return tmp_path / "local", tmp_path / "remote", tmp_path / "state"


def sync(
    capsys: pytest.CaptureFixture[str], pair: tuple[Path, Path, Path], *args: str
) -> tuple[int, dict[str, Any]]:
    local, remote, state = pair
    return run_json(capsys, "sync", local, remote, "--state-dir", state, *args)


def test_a_first_run_copies_both_ways_records_twins_and_resolves_differences(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(
        local, {"only-here.txt": "l", "same.txt": "s", "both.txt": "mine", "d/e/deep.txt": "x"}
    )
    build_tree(remote, {"only-there.txt": "r", "same.txt": "s", "both.txt": "theirs"})
    set_mtime(local / "both.txt", 1_000)
    set_mtime(remote / "both.txt", 2_000)
    code, result = sync(capsys, pair)
    assert code == 0
    assert result["pushed"] == ["d/e/deep.txt", "only-here.txt"]
    assert result["pulled"] == ["both.txt", "only-there.txt"]
    assert result["conflicts"] == [
        {
            "path": "both.txt",
            "kind": "both-added",
            "local_mtime": 1000.0,
            "remote_mtime": 2000.0,
            "resolution": "remote-wins",
        }
    ]
    assert files(local) == files(remote)
    assert files(local)["both.txt"] == b"theirs"
    # Copies keep their source's mtime.
    assert (remote / "only-here.txt").stat().st_mtime_ns == (
        local / "only-here.txt"
    ).stat().st_mtime_ns


def test_a_second_run_changes_nothing(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"a.txt": "1", "d/b.txt": "2"})
    assert sync(capsys, pair)[0] == 0
    before = {p: p.stat().st_mtime_ns for p in [*local.rglob("*"), *remote.rglob("*")]}
    code, result = sync(capsys, pair)
    assert code == 0 and result["pushed"] == result["pulled"] == []
    assert {p: p.stat().st_mtime_ns for p in [*local.rglob("*"), *remote.rglob("*")]} == before


def test_edits_and_deletions_travel_and_emptied_folders_go(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(
        local,
        {
            "keep.txt": "k",
            "edit.txt": "old",
            "gone/deep/x.txt": "x",
            "gone2/y.txt": "y",
            "f1": "1",
            "f2": "2",
        },
    )
    sync(capsys, pair)
    (local / "edit.txt").write_text("new, longer")
    (local / "gone/deep/x.txt").unlink()
    (remote / "gone2/y.txt").unlink()
    code, result = sync(capsys, pair)
    assert code == 0
    assert result["pushed"] == ["edit.txt"]
    assert result["deleted_remote"] == ["gone/deep/x.txt"]
    assert result["deleted_local"] == ["gone2/y.txt"]
    assert (
        files(local)
        == files(remote)
        == {"keep.txt": b"k", "edit.txt": b"new, longer", "f1": b"1", "f2": b"2"}
    )
    assert "gone" not in folders(remote) and "gone2" not in folders(local)


def test_an_edit_keeping_size_and_second_is_still_seen(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Right after a sync a same-size edit may keep the mtime: the state marks such files racy."""
    local, remote, _ = pair
    build_tree(local, {"a.txt": "one"})
    sync(capsys, pair)
    mtime = (local / "a.txt").stat().st_mtime_ns
    (local / "a.txt").write_text("two")
    os.utime(local / "a.txt", ns=(mtime, mtime))
    _code, result = sync(capsys, pair)
    assert result["pushed"] == ["a.txt"] and files(remote) == {"a.txt": b"two"}


def test_manual_leaves_conflicts_untouched_and_exits_2(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, state = pair
    build_tree(local, {"c.txt": "base", "o.txt": "o"})
    sync(capsys, pair)
    (local / "c.txt").write_text("mine")
    (remote / "c.txt").write_text("theirs")
    (local / "o.txt").write_text("other edit")
    code, out, _ = run_cli(
        capsys, "sync", local, remote, "--state-dir", state, "--conflict", "manual"
    )
    assert code == 2
    assert "c.txt" in out and "left untouched" in out
    assert (local / "c.txt").read_text() == "mine" and (remote / "c.txt").read_text() == "theirs"
    assert (remote / "o.txt").read_text() == "other edit"
    # Still a conflict next time: the state kept the old record.
    assert (
        run_cli(capsys, "sync", local, remote, "--state-dir", state, "--conflict", "manual")[0] == 2
    )


def test_backup_both_keeps_the_loser_beside_the_winner(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"docs/report.txt": "base"})
    sync(capsys, pair)
    (local / "docs/report.txt").write_text("mine")
    (remote / "docs/report.txt").write_text("theirs!")
    set_mtime(local / "docs/report.txt", 5_000)
    set_mtime(remote / "docs/report.txt", 9_000)
    code, _result = sync(capsys, pair, "--conflict", "backup-both")
    assert code == 0
    both = files(local)
    assert both == files(remote)
    assert both["docs/report.txt"] == b"theirs!"
    [loser] = [p for p in both if ".conflict-local-" in p]
    assert loser.startswith("docs/report.conflict-local-") and loser.endswith(".txt")
    assert both[loser] == b"mine"
    assert sync(capsys, pair)[1]["pushed"] == []


def test_backup_dir_keeps_every_overwritten_and_deleted_file(
    pair: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"a.txt": "a1", "b.txt": "b1", "c.txt": "c", "d.txt": "d"})
    sync(capsys, pair)
    (local / "a.txt").write_text("a2")
    (remote / "b.txt").unlink()
    code, _result = sync(capsys, pair, "--backup-dir", str(tmp_path / "bak"))
    assert code == 0
    assert files(tmp_path / "bak") == {"remote/a.txt": b"a1", "local/b.txt": b"b1"}


def test_too_many_deletions_abort_unless_forced(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, state = pair
    build_tree(local, {f"f{i}.txt": str(i) for i in range(4)})
    sync(capsys, pair)
    for i in range(3):
        (local / f"f{i}.txt").unlink()
    code, _, err = run_cli(capsys, "sync", local, remote, "--state-dir", state)
    assert code == 1 and "--max-delete" in err and "Nothing was changed" in err
    assert len(files(remote)) == 4
    assert (
        run_cli(capsys, "sync", local, remote, "--state-dir", state, "--max-delete", "80")[0] == 0
    )
    assert len(files(remote)) == 1


def test_the_delete_limit_counts_the_files_in_sync_too(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {f"f{i}.txt": str(i) for i in range(10)})
    sync(capsys, pair)
    (local / "f3.txt").unlink()
    (remote / "f4.txt").unlink()
    code, result = sync(capsys, pair, "--max-delete", "15")
    assert code == 0
    assert (result["deleted_remote"], result["deleted_local"]) == (["f3.txt"], ["f4.txt"])


def test_checksum_finds_an_edit_that_kept_size_and_mtime(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"a.txt": "one", "b.txt": "two"})
    set_mtime(local / "a.txt", 1_000_000)
    set_mtime(local / "b.txt", 1_000_000)
    sync(capsys, pair)
    code, result = sync(capsys, pair, "--checksum")
    assert code == 0 and (result["pushed"], result["pulled"], result["conflicts"]) == ([], [], [])
    (local / "a.txt").write_text("ONE")
    set_mtime(local / "a.txt", 1_000_000)
    assert sync(capsys, pair)[1]["pushed"] == []  # size and mtime say nothing changed
    code, result = sync(capsys, pair, "--checksum")
    assert code == 0 and result["pushed"] == ["a.txt"]
    assert files(remote) == {"a.txt": b"ONE", "b.txt": b"two"}


def test_force_goes_past_max_delete(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"a": "1", "b": "2"})
    sync(capsys, pair)
    (local / "a").unlink()
    (local / "b").unlink()
    code, result = sync(capsys, pair, "--force")
    assert code == 0 and result["deleted_remote"] == ["a", "b"] and files(remote) == {}


def test_dry_run_shows_the_plan_and_changes_nothing(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, state = pair
    build_tree(local, {"a.txt": "a"})
    build_tree(remote, {"b.txt": "b"})
    code, out, _ = run_cli(capsys, "sync", local, remote, "--state-dir", state, "--dry-run")
    assert code == 0 and "would push: a.txt" in out and "would pull: b.txt" in out
    assert files(local) == {"a.txt": b"a"} and files(remote) == {"b.txt": b"b"}
    assert not state.exists() or list(state.iterdir()) == []


def test_file_names_as_they_come(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    nfc = unicodedata.normalize("NFC", "caf\u00e9.txt")
    nfd = unicodedata.normalize("NFD", "caf\u00e9.txt")
    names = ["with space.txt", nfc, nfd, "tab\there.txt", "new\nline.txt", "Case.txt", "case.txt"]
    build_tree(local, {n: n for n in names})
    code, result = sync(capsys, pair)
    assert code == 0 and sorted(result["pushed"]) == sorted(names)
    assert files(remote) == {n: n.encode() for n in names}
    assert sync(capsys, pair)[1]["pushed"] == []


def test_include_exclude_and_the_ignore_file(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(
        local,
        {
            ".templsyncignore": "*.log\n",
            "a.txt": "a",
            "b.md": "b",
            "x.log": "x",
            "sub/c.txt": "c",
            "sub/skip.txt": "s",
        },
    )
    code, _result = sync(
        capsys, pair, "--include", "*.txt", "--include", ".templsyncignore", "--exclude", "skip.txt"
    )
    assert code == 0
    assert set(files(remote)) == {".templsyncignore", "a.txt", "sub/c.txt"}


def test_merge_text_merges_both_edits(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"conf.ini": "a\nb\nc\n"})
    sync(capsys, pair, "--merge-text")
    (local / "conf.ini").write_text("A\nb\nc\n")
    (remote / "conf.ini").write_text("a\nb\nC\n")
    code, result = sync(capsys, pair, "--merge-text")
    assert code == 0 and result["merged"] == ["conf.ini"]
    assert files(local) == files(remote) == {"conf.ini": b"A\nb\nC\n"}
    assert result["conflicts"][0]["resolution"] == "merged"


def test_direction_pull_leaves_local_changes_pending(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"l.txt": "l", "r.txt": "r"})
    sync(capsys, pair)
    (local / "l.txt").write_text("local edit")
    (remote / "r.txt").write_text("remote edit")
    _, result = sync(capsys, pair, "--direction", "pull")
    assert result["pulled"] == ["r.txt"] and result["pushed"] == []
    assert (remote / "l.txt").read_text() == "l"
    _code, result = sync(capsys, pair)
    assert result["pushed"] == ["l.txt"]


def test_resync_rebuilds_the_state_without_deleting(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, _ = pair
    build_tree(local, {"a": "1", "b": "2"})
    sync(capsys, pair)
    (remote / "a").unlink()
    _code, result = sync(capsys, pair, "--resync")
    assert result["deleted_local"] == [] and result["pushed"] == ["a"]


def test_the_summary_says_what_moved(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote, state = pair
    build_tree(local, {"a": "12345"})
    _code, out, _ = run_cli(capsys, "sync", local, remote, "--state-dir", state)
    assert out.splitlines()[-1] == (
        "in sync: 1 pushed, 0 pulled, 0 deleted locally, 0 deleted remotely, 0 conflict(s), "
        "5 B sent, 0 B received"
    )


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "sync", "--help")
    assert code == 0 and "Example" in out and "--conflict" in out


def test_a_remote_that_is_not_a_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli(
        capsys, "sync", tmp_path / "l", tmp_path / "file", "--state-dir", tmp_path / "s"
    )
    assert code == 1 and "is not a folder" in err
    assert json.loads("{}") == {}
