"""An instance whose fleet update was stopped mid-way, put back by the next run: each stop point
of the steps (branch made, files written, staged, a git lock left, committed), in a repository
of its own and in a monorepo whose sibling's changes must stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from instance.helpers import git
from templsync.fleet import resume
from testing.trees import build_tree

BRANCH = "templsync/update-2.0.0"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A monorepo: services ``a`` and ``b``, committed on ``main``."""
    root = build_tree(
        tmp_path / "mono",
        {"a/.copier-answers.yml": "_commit: 1.0.0\n", "a/app.py": "v1\n", "b/app.py": "b\n"},
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "services")
    return root


def state(root: Path) -> tuple[str, str, str]:
    return (
        git(root, "rev-parse", "--symbolic-full-name", "HEAD"),
        git(root, "for-each-ref", "--format=%(refname) %(objectname)"),
        git(root, "status", "--porcelain", "--untracked-files=all"),
    )


def half_done(folder: Path) -> None:
    """What an update leaves before its commit: a file changed, one added, one staged."""
    (folder / "app.py").write_text("v2\n")
    (folder / "new.py").write_text("new\n")
    (folder / "staged.py").write_text("staged\n")
    git(folder, "add", "staged.py")


def test_nothing_to_restore_without_a_mark(repo: Path) -> None:
    assert resume.restore(repo / "a") is None


@pytest.mark.parametrize("stop", ["marked", "branched", "written"])
def test_a_stopped_update_is_undone_and_its_empty_branch_removed(repo: Path, stop: str) -> None:
    (repo / "b" / "app.py").write_text("the sibling's own change\n")
    before = state(repo)
    a = repo / "a"
    resume.begin(a, BRANCH)
    if stop in ("branched", "written"):
        git(a, "checkout", "-q", "-b", BRANCH)
    if stop == "written":
        half_done(a)
        (repo / ".git" / "index.lock").write_text("")  # a git killed while it held the index

    assert resume.restore(a) == "its unfinished update was undone"

    assert state(repo) == before
    assert (repo / "b" / "app.py").read_text() == "the sibling's own change\n"
    assert not (repo / ".git" / resume.MARK).exists()
    assert resume.restore(a) is None  # once


def test_a_committed_update_is_kept(repo: Path) -> None:
    a = repo / "a"
    resume.begin(a, BRANCH)
    git(a, "checkout", "-q", "-b", BRANCH)
    (a / ".copier-answers.yml").write_text("_commit: 2.0.0\n")
    git(a, "commit", "-qam", resume.update_subject("1.0.0", "2.0.0"))
    after = state(repo)

    assert resume.restore(a) == "its update was committed: kept"

    assert state(repo) == after
    assert resume.landed(a, ".copier-answers.yml", "2.0.0") is not None
    assert resume.landed(a, ".copier-answers.yml", "3.0.0") is None


def test_in_a_monorepo_the_first_instances_commit_stays_and_the_second_is_undone(
    repo: Path,
) -> None:
    b, a = repo / "b", repo / "a"
    resume.begin(b, BRANCH)
    git(repo, "checkout", "-q", "-b", BRANCH)
    (b / "app.py").write_text("b updated\n")
    git(repo, "commit", "-qam", resume.update_subject("1.0.0", "2.0.0"))
    after_b = state(repo)
    resume.begin(a, BRANCH)  # the branch is there now: this step does not create it
    half_done(a)

    assert resume.restore(a) == ("its unfinished update was undone; its update was committed: kept")

    assert state(repo) == after_b


def test_in_a_monorepo_outcomes_not_recorded_are_all_undone(repo: Path) -> None:
    """Conflicts left in ``b`` (final, but not in the registry yet), then ``a`` stopped."""
    before = state(repo)
    b, a = repo / "b", repo / "a"
    resume.begin(b, BRANCH)
    git(repo, "checkout", "-q", "-b", BRANCH)
    (b / "app.py").write_text("<<<<<<< before\nb\n=======\nb2\n>>>>>>> 2.0.0\n")
    resume.begin(a, BRANCH)
    half_done(a)

    assert resume.restore(b) == "its unfinished update was undone"

    assert state(repo) == before  # on main again, no update branch


def test_finish_removes_the_marks_of_a_repository(repo: Path) -> None:
    resume.begin(repo / "a", BRANCH)
    resume.begin(repo / "b", BRANCH)
    resume.finish(repo / "b")
    assert not (repo / ".git" / resume.MARK).exists()
    assert resume.restore(repo / "a") is None


def test_in_place_an_update_is_undone_on_the_current_branch(repo: Path) -> None:
    before = state(repo)
    a = repo / "a"
    resume.begin(a, None)
    half_done(a)

    assert resume.restore(a) == "its unfinished update was undone"

    assert state(repo) == before


def test_landed_wants_the_update_commit_to_be_the_last_to_change_the_answers_file(
    repo: Path,
) -> None:
    a = repo / "a"
    assert resume.landed(a, ".copier-answers.yml", "2.0.0") is None
    (a / ".copier-answers.yml").write_text("_commit: 2.0.0\n")
    git(repo, "commit", "-qam", resume.update_subject("1.0.0", "2.0.0"))
    assert resume.landed(a, ".copier-answers.yml", "2.0.0") is not None
    (a / ".copier-answers.yml").write_text("_commit: 2.0.0\nname: x\n")
    git(repo, "commit", "-qam", "edited by hand")
    assert resume.landed(a, ".copier-answers.yml", "2.0.0") is None
