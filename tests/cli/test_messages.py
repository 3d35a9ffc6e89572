"""What a person is told when the answers file, the template's repository or a symlink is wrong:
which file, what it is, and what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync.cli.main import main
from testing.forked import NOBODY

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: demo\n",
    "README.md.jinja": "# {{ name }}\n",
}
V2 = {"README.md.jinja": "# {{ name }}\n\nbetter\n", "docs/guide.md": "a guide\n"}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return tagged_repo(tmp_path / "template", {"1.0.0": V1, "2.0.0": V2})


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "project"
    assert main(["copy", str(template), str(dst), "-r", "1.0.0", "--defaults", "-q"]) == 0
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made")
    return dst


def one_line(text: str) -> str:
    return " ".join(text.split())


def set_src_path(project: Path, value: str) -> Path:
    answers = project / ".copier-answers.yml"
    lines = [
        f"_src_path: {value}" if line.startswith("_src_path:") else line
        for line in answers.read_text().splitlines()
    ]
    answers.write_text("\n".join(lines) + "\n")
    git(project, "commit", "-qam", "src path")
    return answers


BAD_SRC_PATHS = {
    "a number": ("42", "`_src_path` is a number (42), not the template's location"),
    "a boolean": ("yes", "`_src_path` is a boolean (true)"),
    "a list": ("[a, b]", "`_src_path` is a list"),
    "empty": ("''", "`_src_path` is empty"),
    "nothing": ("null", "the answers file has no `_src_path`"),
    "nothing there": ("gone/template", "`_src_path: gone/template`: the template does not exist"),
    "nothing at an absolute path": ("/no/such/template", "the template /no/such/template does"),
    "a plain file": ("../notes.txt", "a plain file, not a template"),
}


@pytest.mark.parametrize("case", list(BAD_SRC_PATHS))
@pytest.mark.parametrize(("command", "code"), [("update", 1), ("check", 2), ("diff", 1)])
def test_a_bad_src_path_names_its_answers_file_and_what_it_is(
    project: Path, case: str, command: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.parent / "notes.txt").write_text("not a template\n")
    value, said = BAD_SRC_PATHS[case]
    answers = set_src_path(project, value)
    argv = [command, str(project)] + (["--defaults"] if command == "update" else [])
    assert main(argv) == code
    err = one_line(capsys.readouterr().err)
    assert f"error: {answers}: " in err
    assert said in err


# --- a repository owned by another user -----------------------------------------------------


@pytest.fixture
def as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("making a repository another user's takes root")


def give_away(folder: Path) -> None:
    """Make ``folder`` and everything in it the ``nobody`` user's."""
    os.chown(folder, NOBODY, NOBODY)
    for path in folder.rglob("*"):
        os.chown(path, NOBODY, NOBODY, follow_symlinks=False)


def allowed_by_git(path: Path) -> None:
    """What the message says to run."""
    git(path.parent, "config", "--global", "--add", "safe.directory", str(path))


def templsync(*args: str) -> subprocess.CompletedProcess[str]:
    """A fresh process: libgit2 reads the global configuration (safe.directory) once."""
    return subprocess.run(
        [sys.executable, "-m", "templsync", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.usefixtures("as_root")
def test_a_template_of_another_user_says_so_and_how_to_allow_it(
    project: Path, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    give_away(template)
    for argv, code in (
        (["copy", str(template), str(tmp_path / "new"), "--defaults"], 1),
        (["update", str(project), "--defaults"], 1),
        (["check", str(project)], 2),
    ):
        assert main(argv) == code
        err = one_line(capsys.readouterr().err)
        assert f"{template} is a git repository owned by another user (nobody, uid {NOBODY})" in (
            err
        )
        assert f"git config --global --add safe.directory {template}" in err
        assert "not a git repository" not in err and "cannot be opened" not in err
    allowed_by_git(template)
    done = templsync("update", str(project), "--defaults")
    assert done.returncode == 0, done.stderr
    assert "better" in (project / "README.md").read_text()


@pytest.mark.usefixtures("as_root")
def test_a_project_of_another_user_says_so_and_how_to_allow_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    give_away(project)
    for argv in (["update", str(project), "--defaults"], ["diff", str(project)]):
        assert main(argv) == 1
        err = one_line(capsys.readouterr().err)
        assert f"{project} is a git repository owned by another user" in err
        assert f"git config --global --add safe.directory {project}" in err
    allowed_by_git(project)
    done = templsync("diff", str(project), "--exit-code")
    assert done.returncode == 0, done.stderr


# --- symlinks in the project ----------------------------------------------------------------


def test_an_absolute_symlink_inside_the_project_is_not_called_outside(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "real").mkdir()
    (project / "real" / "a.txt").write_text("a\n")
    (project / "link").symlink_to(project / "real" / "a.txt")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "an absolute link")
    assert main(["update", str(project), "--defaults"]) == 1
    err = one_line(capsys.readouterr().err)
    assert "outside" not in err
    assert "symlink 'link' points inside the project (to 'real/a.txt')" in err
    assert "`ln -sfn real/a.txt link`" in err
    subprocess.run(["ln", "-sfn", "real/a.txt", "link"], cwd=project, check=True)  # as told
    git(project, "commit", "-qam", "a relative link")
    assert main(["update", str(project), "--defaults"]) == 0
    capsys.readouterr()


def test_an_absolute_symlink_leaving_the_project_is_called_outside(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elsewhere.txt").write_text("x\n")
    (project / "link").symlink_to(tmp_path / "elsewhere.txt")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "a link out")
    assert main(["update", str(project), "--defaults"]) == 1
    err = one_line(capsys.readouterr().err)
    assert f"symlink 'link' points to '{tmp_path / 'elsewhere.txt'}', outside the project" in err


def test_a_symlinked_folder_inside_the_project_is_not_called_outside(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "real").mkdir()
    (project / "docs").symlink_to("real")
    (project / ".gitignore").write_text("docs\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "docs is elsewhere")
    assert main(["update", str(project), "--defaults"]) == 1
    err = one_line(capsys.readouterr().err)
    assert "out of the project" not in err and "outside" not in err
    assert "'docs' is a symlink to 'real', a folder inside the project (real)" in err
    assert not (project / "real" / "guide.md").exists()
