"""A copy whose task fails removes the destination it made, as Copier's ``cleanup_on_error``
does, and never a folder that was there (Copier's ``tests/test_cleanup.py``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from instance.helpers import snapshot
from templsync.cli.main import main
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.tasks import TaskError
from testing.trees import build_tree

FAILING = {"copier.yml": "_tasks:\n  - touch made-by-the-task\n  - exit 1\n", "test.txt": "x\n"}


def copiers(src: Path, dst: Path, *, cleanup: bool = True) -> None:
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(copier.errors.TaskError):
            copier.run_copy(str(src), dst, quiet=True, unsafe=True, cleanup_on_error=cleanup)


@pytest.mark.parametrize("cleanup", [True, False])
def test_a_destination_the_copy_made_is_removed_when_a_task_fails(
    tmp_path: Path, cleanup: bool
) -> None:
    src = build_tree(tmp_path / "src", FAILING)
    theirs, ours = tmp_path / "copier" / "new_folder", tmp_path / "ours" / "new_folder"
    copiers(src, theirs, cleanup=cleanup)

    with pytest.raises(TaskError):
        copy(str(src), ours, CopyOptions(trust=True, cleanup_on_error=cleanup))

    assert ours.exists() is theirs.exists() is not cleanup
    assert snapshot(ours) == snapshot(theirs)
    assert ours.parent.exists()  # only the destination goes, as in Copier


@pytest.mark.parametrize("before", [{"something": ""}, {}])
def test_a_folder_that_was_there_is_never_removed(tmp_path: Path, before: dict[str, str]) -> None:
    src = build_tree(tmp_path / "src", FAILING)
    theirs = build_tree(tmp_path / "copier" / "dst", before)
    ours = build_tree(tmp_path / "ours" / "dst", before)
    copiers(src, theirs)

    with pytest.raises(TaskError):
        copy(str(src), ours, CopyOptions(trust=True))

    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "made-by-the-task").exists()


def test_the_cli_removes_it_unless_told_not_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = build_tree(tmp_path / "src", FAILING)
    dst = tmp_path / "dst"

    assert main(["copy", str(src), str(dst), "--trust", "--quiet"]) == 1
    assert not dst.exists()
    assert main(["copy", str(src), str(dst), "--trust", "--quiet", "--no-cleanup"]) == 1
    assert (dst / "made-by-the-task").exists()
    assert "exit 1" in capsys.readouterr().err
