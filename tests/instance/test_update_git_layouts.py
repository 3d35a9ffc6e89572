"""``update`` of instances whose git folder is elsewhere: ``git init --separate-git-dir`` (a
``.git`` file naming it) and ``git worktree add``, against Copier's
``test_update_with_separate_git_directory``."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo, worktree_snapshot
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update
from testing.trees import build_tree

V1 = {
    "{{ _copier_conf.answers_file }}.jinja": ANSWERS_JINJA["{{ _copier_conf.answers_file }}.jinja"],
    "version.txt": "v1\nline\n",
}


def separate(dst: Path, git_dir: Path) -> Path:
    git(dst, "init", "-q", "--separate-git-dir", str(git_dir))
    return dst


def test_an_instance_with_a_separate_git_dir_is_clean_and_updates_as_copier_updates_it(
    tmp_path: Path,
) -> None:
    import copier

    template = tagged_repo(tmp_path / "src", {"v1": V1})
    ours, theirs = tmp_path / "ours", tmp_path / "copier"
    copy(str(template), ours, CopyOptions(defaults=True, overwrite=True))
    copier.run_copy(str(template), theirs, overwrite=True, quiet=True)
    for dst in (ours, theirs):
        separate(dst, tmp_path / f"{dst.name}.git")
        build_tree(dst, {"foo.txt": "bar"})
        git(dst, "add", ".")
        git(dst, "commit", "-qm1")
    build_tree(template, {"version.txt": "v2\nline\n"})
    git(template, "commit", "-qam2")
    git(template, "tag", "v2")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(theirs, overwrite=True, quiet=True)
    result = update(ours, UpdateOptions(overwrite=True))

    assert result.to_version.recorded == "v2"
    assert worktree_snapshot(ours) == worktree_snapshot(theirs)
    assert (ours / ".git").is_file()  # still the pointer, nothing written beside it
    assert git(ours, "status", "--porcelain") == git(theirs, "status", "--porcelain")


@pytest.mark.parametrize("layout", ["separate-git-dir", "worktree"])
def test_a_conflict_is_recorded_in_the_index_the_git_file_names(
    tmp_path: Path, layout: str
) -> None:
    template = tagged_repo(tmp_path / "src", {"v1": V1})
    if layout == "separate-git-dir":
        dst = tmp_path / "dst"
        copy(str(template), dst, CopyOptions(defaults=True))
        separate(dst, tmp_path / "dst.git")
    else:
        main = tmp_path / "main"
        copy(str(template), main, CopyOptions(defaults=True))
        git(main, "init", "-q")
        git(main, "add", ".")
        git(main, "commit", "-qm0")
        dst = tmp_path / "wt"
        git(main, "worktree", "add", "-q", "-b", "wt", str(dst))
    build_tree(dst, {"version.txt": "ours\nline\n"})
    git(dst, "add", ".")
    git(dst, "commit", "-qm1")
    build_tree(template, {"version.txt": "v2\nline\n"})
    git(template, "commit", "-qam2")
    git(template, "tag", "v2")

    result = update(dst)

    assert [c.path for c in result.conflicts] == ["version.txt"]
    assert git(dst, "ls-files", "--unmerged").count("version.txt") == 3
    assert git(dst, "status", "--porcelain").endswith("UU version.txt")
    assert "<<<<<<< before updating" in (dst / "version.txt").read_text()
