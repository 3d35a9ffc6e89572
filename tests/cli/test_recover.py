"""`templsync recover`, and the recovery every writing command runs first, say what they did."""

from __future__ import annotations

from pathlib import Path

import pytest

from templsync._core.tree import Tree
from templsync._io import JOURNAL_DIR, read_tree
from templsync._io.journal import COMMITTED, Journal
from templsync.cli.main import main
from testing.interrupted import stop_before_commit

OLD = {"README.md": "old\n", "gone.txt": "bye\n"}
NEW = {"README.md": "new\n", "src/app.py": "print('hi')\n"}


def interrupt(root: Path, *, committed: bool) -> None:
    """Run the writer's own steps up to the commit point (and past it), then stop."""
    stop_before_commit(root, OLD, Tree.from_texts(NEW))
    if committed:
        Journal(root).mark(COMMITTED)


def test_recover_finishes_a_write_stopped_after_its_commit_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt(tmp_path, committed=True)
    assert main(["recover", str(tmp_path)]) == 0
    assert "finished" in capsys.readouterr().err
    assert read_tree(tmp_path).texts() == {k: v.encode() for k, v in sorted(NEW.items())}
    assert not (tmp_path / JOURNAL_DIR).exists()


def test_recover_rolls_back_a_write_stopped_before_its_commit_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt(tmp_path, committed=False)
    assert main(["recover", str(tmp_path)]) == 0
    assert "rolled back" in capsys.readouterr().err
    assert read_tree(tmp_path).texts() == {k: v.encode() for k, v in sorted(OLD.items())}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "gone.txt"]


def test_a_writing_command_recovers_first_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "demo"
    out = tmp_path / "out"
    interrupt(out, committed=False)
    assert main(["demo", str(example), "--output", str(out), "--overwrite", "--json"]) == 2
    captured = capsys.readouterr()
    assert "rolled back" in captured.err
    assert (out / "docs" / "install.md").exists()
    assert not (out / "gone.txt").exists()  # the demo's merge replaced the folder's contents
