"""``templsync update``, ``diff`` and ``recopy`` on the command line: output, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, snapshot, tagged_repo
from templsync.cli.main import main

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: demo\n",
    "README.md.jinja": "# {{ name }}\n\none\ntwo\nthree\n",
    "docs/old.md": "a page that moves\nwith several lines\nof text in it\n",
    "notes.txt": "template notes\n",
}
V2 = {
    "README.md.jinja": "# {{ name }}\n\none\ntwo, better\nthree\n",
    "docs/old.md": None,
    "docs/new.md": "a page that moves\nwith several lines\nof text in it\n",
    "notes.txt": "template notes, changed\n",
}


def _tree(files: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in files.items() if v is not None}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    template = tmp_path / "template"
    tagged_repo(template, {"1.0.0": _tree(V1)})
    (template / "docs" / "old.md").unlink()
    tagged_repo(template, {"2.0.0": _tree(V2)})
    dst = tmp_path / "project"
    assert main(["copy", str(template), str(dst), "-r", "1.0.0", "--defaults", "-q"]) == 0
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made")
    return dst


def _commit(dst: Path) -> None:
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "edit")


def test_clean_update_prints_each_change_and_exits_0(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docs" / "old.md").write_text(
        "a page that moves\nwith several lines\nof text in it\nour line\n"
    )
    (project / "notes.txt").unlink()
    _commit(project)
    assert main(["update", str(project), "--defaults"]) == 0
    captured = capsys.readouterr()
    assert "from 1.0.0 to 2.0.0" in captured.out
    assert "rename docs/new.md (from docs/old.md)" in " ".join(captured.err.split())
    assert "kept-deleted notes.txt" in " ".join(captured.err.split())
    assert (project / "docs" / "new.md").read_text().endswith("our line\n")
    assert not (project / "docs" / "old.md").exists()
    assert not (project / "notes.txt").exists()
    assert "two, better" in (project / "README.md").read_text()


def test_pretend_json_lists_the_plan_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(project)
    assert main(["update", str(project), "--defaults", "--pretend", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert snapshot(project) == before
    assert data["from"] == "1.0.0" and data["to"] == "2.0.0" and data["pretend"]
    actions = {c["path"]: c["action"] for c in data["changes"]}
    assert actions == {
        ".copier-answers.yml": "update",
        "README.md": "update",
        "docs/new.md": "rename",
        "notes.txt": "update",
    }


def test_pretend_diff_shows_patches(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["update", str(project), "--defaults", "--pretend", "--diff"]) == 0
    out = capsys.readouterr().out
    assert "--- a/README.md\n+++ b/README.md\n" in out
    assert "-two\n+two, better\n" in out
    assert "would update" in out and "nothing was written" in out


def test_conflict_exits_2_with_markers_and_unmerged_index(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "README.md").write_text("# demo\n\none\ntwo, ours\nthree\n")
    _commit(project)
    assert main(["update", str(project), "--defaults"]) == 2
    captured = capsys.readouterr()
    assert "README.md" in captured.err and "conflict" in captured.err
    text = (project / "README.md").read_text()
    assert "<<<<<<< before updating\ntwo, ours\n=======\ntwo, better\n>>>>>>> after updating\n" in (
        text
    )
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    assert "UU README.md" in status


def test_conflict_rej_keeps_our_file(project: Path) -> None:
    (project / "README.md").write_text("# demo\n\none\ntwo, ours\nthree\n")
    _commit(project)
    assert main(["update", str(project), "--defaults", "--conflict", "rej", "-q"]) == 2
    assert (project / "README.md").read_text() == "# demo\n\none\ntwo, ours\nthree\n"
    assert "+two, better" in (project / "README.md.rej").read_text()


def test_refusals_exit_1_and_write_nothing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "README.md").write_text("uncommitted\n")
    before = snapshot(project)
    assert main(["update", str(project), "--defaults"]) == 1
    assert "uncommitted changes" in capsys.readouterr().err
    assert snapshot(project) == before
    assert main(["update", str(tmp_path / "nowhere")]) == 1
    assert "not a folder" in capsys.readouterr().err
    git(project, "checkout", "README.md")
    assert main(["update", str(project), "--defaults", "-r", "0.1.0"]) == 1
    assert "0.1.0" in capsys.readouterr().err


def test_diff_and_recopy(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "README.md").write_text("# demo\n\none\ntwo, ours\nthree\n")
    _commit(project)
    assert main(["diff", str(project), "--exit-code"]) == 1
    out = capsys.readouterr().out
    assert "-two\n+two, ours\n" in out
    assert main(["diff", str(project), "--stat"]) == 0
    assert "README.md" in capsys.readouterr().out
    assert main(["diff", str(project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == "1.0.0"
    assert [(c["path"], c["kind"]) for c in data["changes"]] == [("README.md", "modified")]
    assert main(["recopy", str(project), "--defaults", "--pretend"]) == 0
    assert "discard README.md" in " ".join(capsys.readouterr().out.split())
    assert main(["recopy", str(project), "--defaults", "-q", "-r", ":current:"]) == 0
    assert (project / "README.md").read_text() == "# demo\n\none\ntwo\nthree\n"
    assert main(["diff", str(project), "--exit-code"]) == 0


@pytest.mark.parametrize("command", ["update", "diff", "recopy"])
def test_help_has_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example:" in out and f"templsync {command}" in out


def test_diff_of_a_real_update_shows_what_was_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docs" / "old.md").write_text(
        "a page that moves\nwith several lines\nof text in it\nour line\n"
    )
    _commit(project)
    assert main(["update", str(project), "--defaults", "--diff"]) == 0
    out = capsys.readouterr().out
    assert "-two\n+two, better\n" in out
    assert "--- a/docs/old.md\n+++ /dev/null\n" in out
    assert "+our line\n" in out  # the moved file, written at its new path


def test_pretend_never_recovers_an_interrupted_write(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = project / ".templsync-journal"
    journal.mkdir()
    assert main(["update", str(project), "--defaults", "--pretend"]) == 1
    assert "journal" in capsys.readouterr().err
    assert journal.is_dir()  # left for `templsync recover`, which a pretend run never does
