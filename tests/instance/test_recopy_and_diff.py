"""recopy (render again with the recorded answers) and diff (the instance's own changes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, snapshot, tagged_repo
from templsync._core.diff import ChangeKind
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.localdiff import LocalDiffOptions, local_diff
from templsync.instance.project import BaseVersionMissingError, NotAnInstanceError
from templsync.instance.recopy import recopy
from templsync.instance.update import DirtyInstanceError

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: demo\n_skip_if_exists: [local.cfg]\n",
    "README.md.jinja": "# {{ name }}\n\nline two\n",
    "src/{{ name }}.py.jinja": "NAME = '{{ name }}'\n",
    "local.cfg": "setting = 1\n",
    "docs/guide.md": "guide\n",
}
V2 = {"README.md.jinja": "# {{ name }}\n\nline two, improved\n"}


@pytest.fixture
def instance(tmp_path: Path) -> tuple[Path, Path]:
    template = tagged_repo(tmp_path / "template", {"1.0.0": V1, "2.0.0": V2})
    dst = tmp_path / "project"
    copy(str(template), dst, CopyOptions(vcs_ref="1.0.0", defaults=True, data={"name": "app"}))
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made from the template")
    return template, dst


def edit(dst: Path) -> None:
    (dst / "README.md").write_text("# app\n\nline two\nour line\n")
    (dst / "docs" / "guide.md").unlink()
    (dst / "local.cfg").write_text("setting = 2\n")
    (dst / "notes.txt").write_text("ours alone\n")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "our changes")


def test_diff_lists_changes_to_template_files_only(instance: tuple[Path, Path]) -> None:
    _, dst = instance
    edit(dst)
    result = local_diff(dst)
    assert result.version.recorded == "1.0.0"
    found = {(c.kind, c.path) for c in result.diff.changes}
    assert found == {
        (ChangeKind.MODIFIED, "README.md"),
        (ChangeKind.DELETED, "docs/guide.md"),
        (ChangeKind.MODIFIED, "local.cfg"),
    }
    with_added = local_diff(dst, LocalDiffOptions(include_added=True))
    assert (ChangeKind.ADDED, "notes.txt") in {(c.kind, c.path) for c in with_added.diff.changes}


def test_diff_of_an_untouched_instance_is_empty_and_follows_renames(
    instance: tuple[Path, Path],
) -> None:
    _, dst = instance
    assert not local_diff(dst).diff
    (dst / "docs" / "guide.md").rename(dst / "docs" / "manual.md")
    renamed = local_diff(dst).diff.changes
    assert [(c.kind, c.old_path, c.new_path) for c in renamed] == [
        (ChangeKind.RENAMED, "docs/guide.md", "docs/manual.md")
    ]


def test_diff_against_another_ref_and_a_missing_commit(instance: tuple[Path, Path]) -> None:
    template, dst = instance
    result = local_diff(dst, LocalDiffOptions(base_ref="2.0.0"))
    assert [c.path for c in result.diff.changes] == ["README.md"]
    git(template, "tag", "-d", "1.0.0")
    with pytest.raises(BaseVersionMissingError, match=r"--base-ref"):
        local_diff(dst)


def test_recopy_discards_local_changes_keeps_own_files(instance: tuple[Path, Path]) -> None:
    _, dst = instance
    edit(dst)
    pretend = recopy(dst, CopyOptions(defaults=True, pretend=True))
    assert pretend.overwritten == (".copier-answers.yml", "README.md")
    assert (dst / "README.md").read_text().endswith("our line\n")  # nothing written
    result = recopy(dst, CopyOptions(defaults=True))
    assert result.version.recorded == "2.0.0"
    assert (dst / "README.md").read_text() == "# app\n\nline two, improved\n"
    assert (dst / "docs" / "guide.md").read_text() == "guide\n"  # deleted: made again
    assert (dst / "local.cfg").read_text() == "setting = 2\n"  # _skip_if_exists: kept
    assert (dst / "notes.txt").read_text() == "ours alone\n"  # the instance's own file
    assert "_commit: 2.0.0" in (dst / ".copier-answers.yml").read_text()
    assert "name: app" in (dst / ".copier-answers.yml").read_text()


def test_recopy_at_the_current_version(instance: tuple[Path, Path]) -> None:
    _, dst = instance
    edit(dst)
    result = recopy(dst, CopyOptions(defaults=True, vcs_ref=":current:"))
    assert result.version.recorded == "1.0.0"
    assert (dst / "README.md").read_text() == "# app\n\nline two\n"


def test_recopy_refuses_a_dirty_instance_and_a_plain_folder(
    instance: tuple[Path, Path], tmp_path: Path
) -> None:
    _, dst = instance
    (dst / "README.md").write_text("uncommitted\n")
    before = snapshot(dst)
    with pytest.raises(DirtyInstanceError, match="--allow-dirty"):
        recopy(dst, CopyOptions(defaults=True))
    assert snapshot(dst) == before
    recopy(dst, CopyOptions(defaults=True), allow_dirty=True)
    assert (dst / "README.md").read_text() == "# app\n\nline two, improved\n"
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotAnInstanceError, match=r"\.copier-answers\.yml does not exist"):
        recopy(tmp_path / "plain", CopyOptions(defaults=True))
