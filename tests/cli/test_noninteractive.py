"""Without a terminal: recorded answers stand (no prompt, no hang), a really missing answer says
which flags give it, and ``check --conflicts`` says when a template needs ``--trust``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync.cli.main import main

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: demo\nflavour:\n  choices: [plain, fancy]\n",
    "README.md.jinja": "# {{ name }} ({{ flavour }})\n",
}
V2 = {"README.md.jinja": "# {{ name }} ({{ flavour }})\n\nbetter\n"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    template = tagged_repo(tmp_path / "template", {"1.0.0": V1, "2.0.0": V2})
    dst = tmp_path / "project"
    answers = ["--data", "name=billing", "--data", "flavour=fancy"]
    assert main(["copy", str(template), str(dst), "-r", "1.0.0", "-q", *answers]) == 0
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made")
    return dst


def templsync(*args: str) -> subprocess.CompletedProcess[str]:
    """templsync with nothing on stdin (not a terminal); a prompt would hang or fail."""
    return subprocess.run(
        [sys.executable, "-m", "templsync", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_update_keeps_the_recorded_answers_without_asking(project: Path) -> None:
    done = templsync("update", str(project))
    assert done.returncode == 0, done.stderr
    assert (project / "README.md").read_text() == "# billing (fancy)\n\nbetter\n"
    assert "?" not in done.stdout + done.stderr  # no question was put
    answers = (project / ".copier-answers.yml").read_text()
    assert "name: billing\n" in answers and "flavour: fancy\n" in answers


def test_recopy_keeps_the_recorded_answers_without_asking(project: Path) -> None:
    (project / "README.md").write_text("local edit\n")
    git(project, "commit", "-qam", "local")
    done = templsync("recopy", str(project))
    assert done.returncode == 0, done.stderr
    assert (project / "README.md").read_text() == "# billing (fancy)\n\nbetter\n"


def test_a_really_missing_answer_offers_defaults_and_data(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template"
    (template / "copier.yml").write_text(V1["copier.yml"] + "port:\n  type: int\n")
    git(template, "commit", "-qam", "a new question")
    git(template, "tag", "3.0.0")
    done = templsync("update", str(project))
    assert done.returncode == 1
    err = " ".join(done.stderr.split())
    assert "question 'port' needs an answer and there is no terminal to ask" in err
    assert "--data port=VALUE" in err and "--defaults" in err
    assert "'name'" not in err  # the recorded ones were not missing
    assert main(["update", str(project), "--data", "port=8000", "-q"]) == 0
    assert "port: 8000\n" in (project / ".copier-answers.yml").read_text()
    capsys.readouterr()


MIGRATING = V1["copier.yml"] + "_migrations:\n  - version: 3.0.0\n    command: echo moved\n"


def test_check_conflicts_says_a_template_with_migrations_needs_trust(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template"
    (template / "copier.yml").write_text(MIGRATING)
    git(template, "commit", "-qam", "migrations")
    git(template, "tag", "3.0.0")
    assert main(["check", str(project), "--conflicts"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "--conflicts dry-runs the update" in err and "`_migrations`" in err
    assert "`templsync check --conflicts --trust`" in err
    assert main(["check", str(project), "--conflicts", "--trust"]) == 1
    assert "an update would merge without conflicts" in capsys.readouterr().out
    assert main(["check", "--help"]) == 0
    helped = " ".join(capsys.readouterr().out.split())
    assert "a template with _migrations or Jinja extensions then needs --trust" in helped
