from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from templsync.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "demo"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(EXAMPLE, copy, symlinks=True)
    return copy


def test_demo_shows_both_sides_and_the_conflict(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", str(example)]) == 0
    out = capsys.readouterr().out
    assert "What ours changed" in out
    assert "What theirs changed" in out
    assert "<<<<<<< ours" in out
    assert ">>>>>>> theirs" in out
    assert "1 conflict(s)" in out


def test_demo_json_reports_every_decision(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", str(example), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    outcomes = {o["path"]: o for o in data["merge"]["outcomes"]}
    assert outcomes["docs/install.md"]["outcome"] == "merged"
    assert outcomes["docs/install.md"]["base_path"] == "docs/setup.md"
    assert "docs/setup.md" not in outcomes
    assert outcomes["src/app/main.py"]["outcome"] == "merged"
    assert outcomes["src/app/routes.py"]["outcome"] == "ours"
    assert outcomes[".github/workflows/ci.yml"]["outcome"] == "theirs"
    [conflict] = data["merge"]["conflicts"]
    assert conflict["path"] == "pyproject.toml"
    assert conflict["kind"] == "content"
    [hunk] = conflict["hunks"]
    assert hunk["ours"] == ['    "httpx>=0.27",\n']
    assert hunk["theirs"] == ['    "structlog>=24.1",\n']
    renamed = [c for c in data["theirs"] if c["kind"] == "renamed"]
    assert [(c["old_path"], c["path"]) for c in renamed] == [("docs/setup.md", "docs/install.md")]


def test_demo_output_writes_the_merge_and_exits_2(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged"
    assert main(["demo", str(example), "--output", str(out)]) == 2
    install = (out / "docs" / "install.md").read_text()
    assert "# Installing" in install  # theirs' edit
    assert "Ask #payments" in install  # ours' edit, carried along the rename
    assert not (out / "docs" / "setup.md").exists()
    main_py = (out / "src" / "app" / "main.py").read_text()
    assert "import structlog" in main_py
    assert "def get_order" in main_py
    pyproject = (out / "pyproject.toml").read_text()
    assert "<<<<<<< ours" in pyproject
    assert '"httpx>=0.27"' in pyproject
    assert '"structlog>=24.1"' in pyproject
    assert os.access(out / "scripts" / "dev.sh", os.X_OK)
    assert not (out / ".templsync-journal").exists()


def test_demo_output_with_rej_applies_what_merges_and_rejects_the_rest(
    example: Path, tmp_path: Path
) -> None:
    """As `patch` does: hunks that merge are applied, the conflicting one goes to the .rej."""
    out = tmp_path / "merged"
    assert main(["demo", str(example), "--output", str(out), "--conflict", "rej"]) == 2
    pyproject = (out / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in pyproject  # theirs' clean change, applied
    assert '"httpx>=0.27"' in pyproject  # ours' side of the conflict, kept
    assert "structlog" not in pyproject
    assert "<<<<<<<" not in pyproject
    rej = (out / "pyproject.toml.rej").read_text()
    assert '+    "structlog>=24.1",' in rej
    assert "-requires-python" not in rej


def test_demo_refuses_a_folder_with_files_unless_told(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "merged"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "mine.txt").write_text("keep me\n")
    assert main(["demo", str(example), "--output", str(out)]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert [p.relative_to(out).as_posix() for p in out.rglob("*")] == ["notes", "notes/mine.txt"]


def test_demo_twice_with_overwrite_changes_nothing_more(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged"
    main(["demo", str(example), "--output", str(out)])
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(["demo", str(example), "--output", str(out), "--overwrite"]) == 2
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before == after


def test_demo_without_its_folders_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "base" in err
    assert "templsync demo examples/demo" in err


def test_recover_with_nothing_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recover", str(tmp_path)]) == 0
    assert "nothing to recover" in capsys.readouterr().out
