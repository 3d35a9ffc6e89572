"""``update`` and ``recopy`` in a repository git is in the middle of something in, or whose index
could not take the write: refused before anything is written, even with ``--allow-dirty``."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import subprocess
from pathlib import Path

import pygit2
import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync.cli.main import main
from testing.forked import NOBODY, call_forked

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: demo\n",
    "README.md.jinja": "# {{ name }}\n\none\ntwo\nthree\n",
}
V2 = {"README.md.jinja": "# {{ name }}\n\none\ntwo, better\nthree\n"}


def make_project(root: Path) -> Path:
    template = tagged_repo(root / "template", {"1.0.0": V1, "2.0.0": V2})
    dst = root / "project"
    assert main(["copy", str(template), str(dst), "-r", "1.0.0", "--defaults", "-q"]) == 0
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made")
    return dst


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def state(dst: Path) -> dict[str, bytes]:
    """Every file of the working tree and the git index's bytes: what a refusal must not touch."""
    files = {
        str(p.relative_to(dst)): p.read_bytes()
        for p in sorted(dst.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(dst).parts
    }
    return {**files, ".git/index": (dst / ".git" / "index").read_bytes()}


def two_sides(dst: Path) -> None:
    """Branch ``side`` and ``main`` each change README.md's same line."""
    git(dst, "checkout", "-q", "-b", "side")
    (dst / "README.md").write_text("# demo\n\none\ntwo, side\nthree\n")
    git(dst, "commit", "-q", "-am", "side")
    git(dst, "checkout", "-q", "main")
    (dst / "README.md").write_text("# demo\n\none\ntwo, main\nthree\n")
    git(dst, "commit", "-q", "-am", "main")


def fails(dst: Path, *args: str) -> None:
    done = subprocess.run(["git", *args], cwd=dst, capture_output=True, text=True, check=False)
    assert done.returncode != 0, f"git {' '.join(args)} was expected to stop on a conflict"


def start_merge(dst: Path) -> None:
    two_sides(dst)
    fails(dst, "merge", "side")


def start_rebase(dst: Path) -> None:
    two_sides(dst)
    fails(dst, "rebase", "side")


def start_rebase_apply(dst: Path) -> None:
    two_sides(dst)
    fails(dst, "rebase", "--apply", "side")


def start_cherry_pick(dst: Path) -> None:
    two_sides(dst)
    fails(dst, "cherry-pick", "side")


def start_revert(dst: Path) -> None:
    (dst / "README.md").write_text("# demo\n\none\ntwo, first\nthree\n")
    git(dst, "commit", "-q", "-am", "first")
    (dst / "README.md").write_text("# demo\n\none\ntwo, second\nthree\n")
    git(dst, "commit", "-q", "-am", "second")
    fails(dst, "revert", "--no-edit", "HEAD~1")


def start_bisect(dst: Path) -> None:
    (dst / "notes.txt").write_text("later\n")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "later")
    git(dst, "bisect", "start", "HEAD", "HEAD~1")


OPERATIONS = {
    "merge": (start_merge, "git merge --abort"),
    "rebase": (start_rebase, "git rebase --abort"),
    "rebase --apply": (start_rebase_apply, "git rebase --continue"),
    "cherry-pick": (start_cherry_pick, "git cherry-pick --abort"),
    "revert": (start_revert, "git revert --abort"),
    "bisect": (start_bisect, "git bisect reset"),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize(
    "command",
    [
        ["update", "--allow-dirty", "--defaults"],
        ["update", "--defaults"],
        ["recopy", "--allow-dirty", "--defaults"],
    ],
    ids=["update --allow-dirty", "update", "recopy --allow-dirty"],
)
def test_an_unfinished_operation_is_refused_naming_it(
    project: Path, operation: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    start, how = OPERATIONS[operation]
    start(project)
    before = state(project)
    assert main([*command, str(project)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    name = operation.split(maxsplit=1)[0]
    assert f"in the middle of a {name}" in err
    assert f"Finish or abort the {name} first" in err and how in err
    assert "uncommitted changes" not in err
    assert state(project) == before


def test_after_the_merge_is_aborted_the_update_runs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start_merge(project)
    assert main(["update", "--allow-dirty", "--defaults", str(project)]) == 1
    git(project, "merge", "--abort")
    assert main(["update", "--defaults", str(project)]) == 2  # main's edit meets the template's
    assert "two, better" in (project / "README.md").read_text()
    capsys.readouterr()


def test_unmerged_paths_without_a_merge_are_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `git stash pop` onto a conflicting commit leaves unmerged paths and no MERGE_HEAD.
    (project / "README.md").write_text("# demo\n\none\ntwo, stashed\nthree\n")
    git(project, "stash", "-q")
    (project / "README.md").write_text("# demo\n\none\ntwo, committed\nthree\n")
    git(project, "commit", "-q", "-am", "committed")
    fails(project, "stash", "pop")
    before = state(project)
    assert main(["update", "--allow-dirty", "--defaults", str(project)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "unmerged in git's index" in err and "README.md" in err and "git add" in err
    assert state(project) == before
    # Before the fix the update wrote the files, then failed to record its own conflict in the
    # index (exit 3), leaving the files and the index disagreeing.


def test_an_index_lock_is_refused_before_writing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "README.md").write_text("# demo\n\none\ntwo, ours\nthree\n")
    git(project, "commit", "-q", "-am", "ours")
    (project / ".git" / "index.lock").write_bytes(b"")
    before = state(project)
    assert main(["update", "--defaults", str(project)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "index.lock exists" in err and "another git command" in err
    assert state(project) == before


def test_a_damaged_index_is_refused_before_writing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".git" / "index").write_bytes(b"DIRC this is not an index")
    before = state(project)
    assert main(["update", "--allow-dirty", "--defaults", str(project)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "cannot be read" in err and "git reset" in err
    assert state(project) == before


class _Exited(Exception):
    """How a command run in a forked child ended: its exit code, then its stderr."""


def run_as_owner(argv: list[str], env: dict[str, str], owner: int | None) -> tuple[int, str]:
    """``templsync ARGV`` in a forked child with ``env``, as the user ``owner`` (None: as is)."""

    def setup() -> None:
        os.environ.update(env)
        # What the command imports when it runs, imported while Python's own files can still
        # be read (the interpreter may be installed where only its owner reads).
        for name in ("templsync.instance.update", "templsync.cli.tasks", "rich.console"):
            importlib.import_module(name)
        # libgit2 looks for the global configuration where HOME was when it started.
        pygit2.settings.search_path[pygit2.enums.ConfigLevel.GLOBAL] = env["HOME"]
        if owner is not None:
            os.setgroups([])
            os.setgid(owner)
            os.setuid(owner)

    def run() -> None:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(argv)
        raise _Exited(f"{code}\n{err.getvalue()}")

    outcome = call_forked(run, setup)
    assert outcome.startswith("_Exited: "), outcome
    code, _, err = outcome.removeprefix("_Exited: ").partition("\n")
    return int(code), err


def test_an_index_the_user_cannot_write_is_refused_before_writing(public_dir: Path) -> None:
    dst = make_project(public_dir)
    (dst / "README.md").write_text("# demo\n\none\ntwo, ours\nthree\n")
    git(dst, "commit", "-q", "-am", "ours")
    home = public_dir / "home"
    home.mkdir()
    as_root = os.geteuid() == 0
    if as_root:  # git refuses a repository of another user: everything becomes nobody's
        os.chown(public_dir, NOBODY, NOBODY)
        for path in public_dir.rglob("*"):
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
    (dst / ".git").chmod(0o555)
    before = state(dst)
    env = {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "TEMPLSYNC_CACHE_DIR": str(home / "cache"),
    }
    code, err = run_as_owner(["update", "--defaults", str(dst)], env, NOBODY if as_root else None)
    err = " ".join(err.split())
    assert code == 1, err
    assert "cannot be written by this user" in err
    assert state(dst) == before
