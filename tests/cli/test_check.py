"""``templsync check``: exit codes for CI (0 current, 1 behind, 2 error), text and JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git
from instance.test_check import NEWEST_FIRST, commit, make_instance, make_template
from templsync.cli.main import main
from testing.trees import build_tree


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return make_template(tmp_path / "tpl")


def test_current_exits_0_and_says_so(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = make_instance(tmp_path / "inst", str(template), "v2.0.0")
    assert main(["check", str(instance)]) == 0
    out = capsys.readouterr().out
    assert "current:  2.0.0 (v2.0.0)" in out and "latest:   2.0.0 (v2.0.0)" in out
    assert out.splitlines()[-1].startswith("up to date")
    assert "behind" not in out


def test_behind_exits_1_with_versions_and_commit_subjects_newest_first(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = make_instance(tmp_path / "inst", str(template), "1.0.0")
    assert main(["check", str(instance)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [f"template: {template}", "current:  1.0.0", "latest:   2.0.0 (v2.0.0)"]
    assert lines[3] == "behind:   2 versions (v2.0.0, 1.1.0), 3 template commits:"
    shas = git(template, "log", "--format=%h", "--abbrev=7", "1.0.0..v2.0.0").split()
    assert lines[4:7] == [
        f"  {sha} {subject}" for sha, subject in zip(shas, NEWEST_FIRST, strict=True)
    ]
    assert lines[-1].startswith("update available: 1.0.0 -> 2.0.0")


def test_json_is_one_object_with_copiers_keys_first(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = make_instance(tmp_path / "inst", str(template), "1.1.0")
    assert main(["check", "--json", str(instance)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert list(data)[:3] == ["update_available", "current_version", "latest_version"]
    sha = git(template, "rev-parse", "v2.0.0")
    assert data == {
        "update_available": True,
        "current_version": "1.1.0",
        "latest_version": "2.0.0",
        "up_to_date": False,
        "path": str(instance),
        "answers_file": ".copier-answers.yml",
        "src_path": str(template),
        "current": {
            "commit": "1.1.0",
            "commit_sha": git(template, "rev-parse", "1.1.0"),
            "version": "1.1.0",
        },
        "latest": {"commit": "v2.0.0", "commit_sha": sha, "version": "2.0.0"},
        "versions_behind": 1,
        "versions": ["v2.0.0"],
        "commits_behind": 1,
        "commits": [{"sha": sha, "subject": "Release 2.0.0"}],
        "conflicts": None,
    }


def test_prereleases_flag(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(template, {"app.py": "beta\n"}, "Beta of 2.1", "2.1.0b1")
    instance = make_instance(tmp_path / "inst", str(template), "v2.0.0")
    assert main(["check", "-q", str(instance)]) == 0
    assert main(["check", "--prereleases", "--json", str(instance)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["latest_version"] == "2.1.0b1" and data["versions"] == ["2.1.0b1"]
    assert [c["subject"] for c in data["commits"]] == ["Beta of 2.1", "Work after 2.0.0"]


def test_quiet_prints_nothing_and_answers_with_the_exit_code(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = make_instance(tmp_path / "inst", str(template), "1.0.0")
    assert main(["check", "--quiet", str(instance)]) == 1
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (None, ".copier-answers.yml does not exist"),
        ("_commit: [oops\n", "not valid YAML"),
        ("_commit: 9.9.9\n_src_path: TEMPLATE\n", "templsync update --base-ref REF"),
        ("_src_path: TEMPLATE\n", "records no `_commit`"),
    ],
)
def test_errors_exit_2_with_the_message_on_stderr(
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    answers: str | None,
    message: str,
) -> None:
    files = {} if answers is None else {".copier-answers.yml": answers}
    for name, text in files.items():
        files[name] = text.replace("TEMPLATE", str(template))
    instance = build_tree(tmp_path / "inst", files)
    assert main(["check", "--json", str(instance)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and message in captured.err


def test_a_usage_error_exits_2_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-such-flag"]) == 2
    assert "--no-such-flag" in capsys.readouterr().err


def test_answers_file_flag(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = ".copier-answers.api.yml"
    instance = make_instance(tmp_path / "inst", str(template), "v2.0.0", answers_file=other)
    assert main(["check", str(instance)]) == 2
    assert other in capsys.readouterr().err
    assert main(["check", "-a", other, "--json", str(instance)]) == 0
    assert json.loads(capsys.readouterr().out)["answers_file"] == other


def test_relative_src_path_from_another_cwd_and_the_default_path(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = make_instance(tmp_path / "a" / "inst", "../../tpl", "1.1.0")
    monkeypatch.chdir(build_tree(tmp_path / "elsewhere", {}))
    assert main(["check", "-q", "../a/inst"]) == 1
    monkeypatch.chdir(instance)
    assert main(["check", "-q"]) == 1


def test_a_remote_template_is_fetched_unless_offline(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(template), str(remote))
    instance = make_instance(tmp_path / "inst", f"file://{remote}", "v2.0.0")
    assert main(["check", "-q", str(instance)]) == 0
    commit(template, {"app.py": "v3\n"}, "Release 3.0.0", "3.0.0")
    git(template, "push", "-q", str(remote), "HEAD:refs/heads/main", "3.0.0")
    assert main(["check", "-q", "--offline", str(instance)]) == 0
    assert main(["check", "--json", str(instance)]) == 1
    assert json.loads(capsys.readouterr().out)["latest_version"] == "3.0.0"


def test_conflicts_lists_the_files_an_update_would_conflict_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "tpl"
    template.mkdir()
    git(template, "init", "-q")
    files = {"copier.yml": "name: demo\n", **ANSWERS_JINJA, "app.py": "a\nb\nc\n"}
    commit(template, files, "First", "1.0.0")
    commit(template, {"app.py": "a\nB from the template\nc\n"}, "Change b", "2.0.0")
    instance = tmp_path / "inst"
    assert main(["copy", "-q", "--defaults", "-r", "1.0.0", str(template), str(instance)]) == 0
    build_tree(instance, {"app.py": "a\nb from the project\nc\n"})
    capsys.readouterr()

    assert main(["check", "--conflicts", str(instance)]) == 1
    out = capsys.readouterr().out
    assert "an update would conflict in 1 file:\n  app.py\n" in out
    assert (instance / "app.py").read_text() == "a\nb from the project\nc\n"
    assert main(["check", "--conflicts", "--json", str(instance)]) == 1
    assert json.loads(capsys.readouterr().out)["conflicts"] == ["app.py"]


def test_help_has_an_example_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Example: templsync check" in out
    assert "0 the project is current, 1 it is behind, 2 the check could not be made" in out


def test_the_command_imports_neither_rich_nor_typer(template: Path, tmp_path: Path) -> None:
    instance = make_instance(tmp_path / "inst", str(template), "1.0.0")
    code = (
        "import sys; from templsync.cli.main import main; "
        f"code = main(['check', {str(instance)!r}]); "
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'typer'}); "
        "print(code, loaded, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.stderr.strip() == "1 []"
    assert "update available" in done.stdout
