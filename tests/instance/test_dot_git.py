"""A template's ``.git`` never reaches a project: a deliberate difference from Copier 9.

Copier's default ``_exclude`` holds ``.git``; a template that sets its own ``_exclude`` (and no
``_subdirectory``) replaces the defaults, so Copier copies the template's ``.git`` (its own
clone's, for a git template) into the project, and on update writes it over the project's
``.git``, history included. Ours reads a git template from git objects, where there is no
``.git``, and leaves every ``.git`` out of a folder template.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from instance.helpers import ANSWERS_JINJA, git, snapshot, tagged_repo
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update
from testing.trees import build_tree

OWN_EXCLUDE = "_exclude:\n  - copier.yml\n"


def copier_copy(src: Path, dst: Path) -> None:
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(str(src), str(dst), defaults=True, quiet=True)


def git_paths(root: Path) -> list[str]:
    return sorted(p for p in snapshot(root) if ".git" in p.split("/"))


def test_a_folder_templates_git_folders_are_not_copied(tmp_path: Path) -> None:
    template = build_tree(
        tmp_path / "tpl",
        {
            "copier.yml": OWN_EXCLUDE,
            "a.txt": "a\n",
            ".git/notes": "not a repository: the folder is a plain template\n",
            "sub/.git/HEAD": "a nested one\n",
            "sub/x.txt": "x\n",
        },
    )

    copy(str(template), tmp_path / "ours", CopyOptions(defaults=True))
    copier_copy(template, tmp_path / "copier")

    assert sorted(snapshot(tmp_path / "ours")) == ["a.txt", "sub/x.txt"]
    assert git_paths(tmp_path / "copier") == [".git/notes", "sub/.git/HEAD"]


def test_an_update_keeps_the_projects_git_where_copier_writes_the_templates_over_it(
    tmp_path: Path,
) -> None:
    template = tagged_repo(
        tmp_path / "tpl",
        {
            "v1": {**ANSWERS_JINJA, "copier.yml": OWN_EXCLUDE, "a.txt": "v1\n"},
            "v2": {"a.txt": "v2\n"},
        },
    )
    for name in ("ours", "copier"):
        project = tmp_path / name
        copy(str(template), project, CopyOptions(defaults=True, vcs_ref="v1"))
        assert git_paths(project) == []
        git(project, "init", "-q")
        git(project, "add", "-A")
        git(project, "commit", "-qm", "the project's own history")
    ours, other = tmp_path / "ours", tmp_path / "copier"

    update(ours, UpdateOptions(defaults=True))
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(str(other), defaults=True, overwrite=True, quiet=True)

    assert (ours / "a.txt").read_text() == "v2\n"
    assert git(ours, "log", "--format=%s") == "the project's own history"
    assert git(ours, "status", "--porcelain").splitlines() == [
        "M .copier-answers.yml",
        " M a.txt",
    ]
    # Copier's project now has the template's history: its own commit is gone
    assert git(other, "log", "--format=%s").splitlines() == ["v2", "v1"]
