"""File modes against Copier: a template folder's permission bits, and executable bits in git's
index with ``core.fileMode`` false (Copier's ``test_preserved_permissions`` and its
``test_update_propagates_executable_bit_*`` / ``..._and_merge_conflict`` tests)."""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path
from typing import Any

import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo, worktree_snapshot
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update
from testing.trees import build_tree

PERMS = (0o400, 0o600, 0o640, 0o644, 0o664, 0o700, 0o707, 0o750, 0o755, 0o770, 0o777)


def perms(root: Path) -> dict[str, str]:
    """Every file's permission bits, as ``ls`` shows them."""
    return {
        p.relative_to(root).as_posix(): stat.filemode(p.lstat().st_mode)
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def copier_run(kind: str, *args: Any, **kw: Any) -> None:
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(copier, kind)(*args, defaults=True, overwrite=True, quiet=True, **kw)


def with_modes(root: Path) -> Path:
    """A template whose file ``f<octal>`` has those bits (one of them templated)."""
    build_tree(root, {f"f{p:o}": f"{p:o}\n" for p in PERMS})
    build_tree(root, {"g.txt.jinja": "{{ 6 * 7 }}\n"})
    for p in PERMS:
        (root / f"f{p:o}").chmod(p)
    (root / "g.txt.jinja").chmod(0o750)
    return root


@pytest.mark.parametrize(
    ("source", "umask"),
    [("folder", 0o022), ("folder", 0o002), ("folder", 0o077), ("git", 0o022), ("git", 0o002)],
)
def test_permission_bits_are_the_ones_copier_gives(tmp_path: Path, source: str, umask: int) -> None:
    template = with_modes(tmp_path / "tpl")
    if source == "git":
        tagged_repo(template, {"v1": {}})
    old = os.umask(umask)
    try:
        copier_run("run_copy", str(template), tmp_path / "copier")
        copy(str(template), tmp_path / "ours", CopyOptions(defaults=True))
    finally:
        os.umask(old)

    assert perms(tmp_path / "ours") == perms(tmp_path / "copier")
    if source == "folder":
        assert perms(tmp_path / "ours")["f600"] == "-rw-------"
        assert perms(tmp_path / "ours")["g.txt"] == "-rwxr-x---"


def test_a_git_templates_executables_follow_the_umask_where_copier_sets_every_x_bit(
    tmp_path: Path,
) -> None:
    """Copier takes a git template's x bits from git's mode (755): with umask 077 its
    executables are ``rwx--x--x``; ours are ``rwx------``, as the umask says (docs/update.md)."""
    template = tagged_repo(with_modes(tmp_path / "tpl"), {"v1": {}})
    old = os.umask(0o077)
    try:
        copy(str(template), tmp_path / "ours", CopyOptions(defaults=True))
    finally:
        os.umask(old)
    assert set(perms(tmp_path / "ours").values()) == {"-rw-------", "-rwx------"}


def test_files_a_folder_template_replaces_get_the_templates_bits(tmp_path: Path) -> None:
    template = with_modes(tmp_path / "tpl")
    for dst in (tmp_path / "copier", tmp_path / "ours"):
        build_tree(dst, {"f600": "old\n", "f750": "old\n", "f644": "644\n"})
        (dst / "f600").chmod(0o644)
        (dst / "f750").chmod(0o700)
        (dst / "f644").chmod(0o600)  # the same content: left as it is

    copier_run("run_copy", str(template), tmp_path / "copier")
    copy(str(template), tmp_path / "ours", CopyOptions(defaults=True, overwrite=True))

    assert perms(tmp_path / "ours") == perms(tmp_path / "copier")
    assert perms(tmp_path / "ours")["f644"] == "-rw-------"


LAUNCHER = {**ANSWERS_JINJA, "launcher.sh": "#!/bin/sh\necho hi\n"}


def index_mode(root: Path, path: str) -> str:
    return git(root, "ls-files", "--stage", "--", path).split()[0]


def copied_with_git(template: Path, tmp_path: Path, file_mode: bool) -> tuple[Path, Path]:
    """The template copied by both tools, each a committed repository with that fileMode."""
    ours, theirs = tmp_path / "ours", tmp_path / "copier"
    copier_run("run_copy", str(template), theirs)
    copy(str(template), ours, CopyOptions(defaults=True))
    for dst in (ours, theirs):
        git(dst, "init", "-q")
        git(dst, "config", "core.fileMode", str(file_mode).lower())
        git(dst, "add", "-A")
        if not file_mode and (dst / "launcher.sh").stat().st_mode & 0o100:
            git(dst, "update-index", "--chmod=+x", "--", "launcher.sh")
        git(dst, "commit", "-qm", "init")
    return ours, theirs


def status(root: Path) -> str:
    done = git(root, "status", "--porcelain", "--", "launcher.sh")
    return done


@pytest.mark.parametrize("file_mode", [True, False])
@pytest.mark.parametrize("gains", [True, False])
def test_an_executable_bit_the_template_changes_reaches_the_index_as_in_copier(
    tmp_path: Path, file_mode: bool, gains: bool
) -> None:
    template = tagged_repo(tmp_path / "src", {"v1": LAUNCHER})
    if not gains:
        (template / "launcher.sh").chmod(0o755)
        git(template, "commit", "-qam", "executable")
        git(template, "tag", "-f", "v1")
    ours, theirs = copied_with_git(template, tmp_path, file_mode)
    (template / "launcher.sh").chmod(0o755 if gains else 0o644)
    git(template, "commit", "-qam", "mode")
    git(template, "tag", "v2")

    copier_run("run_update", str(theirs))
    update(ours, UpdateOptions(defaults=True, overwrite=True))

    assert worktree_snapshot(ours) == worktree_snapshot(theirs)
    assert index_mode(ours, "launcher.sh") == index_mode(theirs, "launcher.sh")
    assert status(ours) == status(theirs)
    wanted = "100755" if gains else "100644"
    assert (index_mode(ours, "launcher.sh") == wanted) is not file_mode  # else left to git


@pytest.mark.parametrize("file_mode", [True, False])
def test_a_copy_over_a_project_stages_the_executable_bit_as_copier_does(
    tmp_path: Path, file_mode: bool
) -> None:
    template = tagged_repo(tmp_path / "src", {"v1": LAUNCHER})
    ours, theirs = copied_with_git(template, tmp_path, file_mode)
    (template / "launcher.sh").write_text("#!/bin/sh\necho hello\n")
    (template / "launcher.sh").chmod(0o755)
    git(template, "commit", "-qam", "v2")
    git(template, "tag", "v2")

    copier_run("run_copy", str(template), theirs)
    copy(str(template), ours, CopyOptions(defaults=True, overwrite=True))

    assert worktree_snapshot(ours) == worktree_snapshot(theirs)
    assert index_mode(ours, "launcher.sh") == index_mode(theirs, "launcher.sh")
    assert status(ours) == status(theirs)


@pytest.mark.parametrize("file_mode", [True, False])
def test_a_conflict_with_an_executable_bit_change_keeps_it_through_git_add(
    tmp_path: Path, file_mode: bool
) -> None:
    """Stages 1-3 have each side's mode, as ``git merge`` writes them; with fileMode false the
    ours stage has the mode written, so that ``git add`` (which then reads no mode from the
    disk) keeps the template's new bit. Copier gives all three stages the ours stage's mode;
    with fileMode true it also leaves the file not executable on disk (docs/update.md)."""
    template = tagged_repo(tmp_path / "src", {"v1": {**ANSWERS_JINJA, "launcher.sh": "v1"}})
    ours, theirs = copied_with_git(template, tmp_path, file_mode)
    for dst in (ours, theirs):
        (dst / "launcher.sh").write_text("v1 + downstream")
        git(dst, "commit", "-qam", "downstream edit")
    (template / "launcher.sh").write_text("v2")
    (template / "launcher.sh").chmod(0o755)
    git(template, "commit", "-qam", "executable and changed")
    git(template, "tag", "v2")

    copier_run("run_update", str(theirs), conflict="inline")
    update(ours, UpdateOptions(defaults=True, overwrite=True))

    assert (ours / "launcher.sh").read_text() == (theirs / "launcher.sh").read_text()
    assert git(ours, "status", "--porcelain") == git(theirs, "status", "--porcelain")
    stages = git(ours, "ls-files", "--stage", "--", "launcher.sh").splitlines()
    assert [line.split()[0] for line in stages] == [
        "100644",
        "100644" if file_mode else "100755",
        "100755",
    ]
    if not file_mode:  # the same index as Copier's, but for the base's mode
        assert git(ours, "diff", "--", "launcher.sh") == git(theirs, "diff", "--", "launcher.sh")
    assert (ours / "launcher.sh").stat().st_mode & 0o100
    git(ours, "add", "launcher.sh")
    assert index_mode(ours, "launcher.sh") == "100755"
