"""``templsync fleet status``: the table, --json, --markdown and --conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fleet.status_helpers import EXPECTED, SUBJECTS_NEWEST_FIRST, hermetic_git, make_fleet
from templsync.cli.main import main


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with hermetic_git(tmp_path_factory.mktemp("home")):
        yield make_fleet(tmp_path_factory.mktemp("fleet"))


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that rich keeps every cell on one line."""
    monkeypatch.setenv("COLUMNS", "250")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, Any], str]:
    assert main(["fleet", "status", "--json", *args]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "status", "--help"]) == 0
    out = capsys.readouterr().out
    assert "templsync fleet status --conflicts" in out.split("Example:")[1]
    assert main(["fleet", "--help"]) == 0
    assert "status" in capsys.readouterr().out


def test_json_has_every_instance_and_the_changes_by_category(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, err = run_json(capsys, "--fleet", str(registry), "--jobs", "1")
    assert err == ""
    assert data["template"] == "template"
    assert data["latest"]["version"] == "2.1.0"
    assert {i["name"]: i["status"] for i in data["instances"]} == {
        name: e.status for name, e in EXPECTED.items()
    }
    legacy = data["instances"][2]
    assert legacy == legacy | {
        "name": "legacy",
        "location": "instances/legacy",
        "team": "payments",
        "state": "major version behind",
        "template_version": "1.0.0",
        "version": "1.0.0",
        "last_updated": "2023-06-01T08:30:00-04:00",
        "commits_behind": 6,
        "versions_behind": 4,
        "conflicts": None,
        "reason": None,
    }
    assert data["instances"][4]["unmerged"] == ["app/main.py"]
    assert data["instances"][6]["reason"] == "folder not found"
    assert data["counts"] == {
        "broken": 4,
        "unresolved conflicts": 1,
        "uncommitted changes": 1,
        "major version behind": 1,
        "behind": 2,
        "up to date": 1,
    }
    assert data["since"] == "1.0.0"
    assert [c["subject"] for c in data["changes"]] == list(SUBJECTS_NEWEST_FIRST)
    assert data["changes"][1]["categories"] == ["configuration", "application code"]
    assert data["changes"][1]["date"] == "2023-06-15T09:00:00+02:00"
    sha = {c["subject"]: c["sha"] for c in data["changes"]}
    assert data["by_category"]["CI"] == [sha["Add a CI workflow"]]
    assert list(data["by_category"]) == [
        "dependency manifests",
        "database migrations",
        "configuration",
        "CI",
        "application code",
        "docs",
    ]


def test_the_table_the_changes_and_a_summary(
    registry: Path, capsys: pytest.CaptureFixture[str], wide: None
) -> None:
    assert main(["fleet", "status", "--fleet", str(registry)]) == 0
    out = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert set(rows) == set(EXPECTED)
    legacy = [cell.strip() for cell in rows["legacy"].split("│")[1:-1]]
    assert legacy == [
        "legacy",
        "instances/legacy",
        "payments",
        "2023-06-01",
        "1.0.0",
        "6",
        "4",
        "major version behind",  # how far: the two columns before
    ]
    assert "broken: _commit 0.9.0 is not in the template" in rows["lost"]
    assert "ledger: unmerged in git's index: app/main.py" in out
    assert f"gone: {registry.parent / 'instances' / 'gone'} is not a folder." in out
    changes = out.split("Template changes since 1.0.0 (6 commits), by what they touch:")[1]
    assert changes.index("dependency manifests (1)") < changes.index("Bump fastapi to 0.110")
    assert changes.index("application code (2)") < changes.index("Fix the greeting")
    assert changes.index("docs (1)") < changes.index("Document the usage")
    assert out.rstrip().endswith(
        "10 instances: 1 up to date, 2 behind, 1 major version behind, 1 uncommitted changes, "
        "1 unresolved conflicts, 4 broken; the template's latest version is 2.1.0"
    )


def test_conflicts_adds_the_files_each_update_would_conflict_on(
    registry: Path, capsys: pytest.CaptureFixture[str], wide: None
) -> None:
    assert main(["fleet", "status", "--conflicts", "--fleet", str(registry)]) == 0
    out = capsys.readouterr().out
    assert "Update would conflict in" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert rows["search"].rstrip("│ ").endswith("app/main.py")
    assert rows["legacy"].rstrip("│ ").endswith("none")
    data, _ = run_json(capsys, "--conflicts", "--fleet", str(registry))
    assert {i["name"]: i["conflicts"] for i in data["instances"] if i["conflicts"] is not None} == {
        "search": ["app/main.py"],
        "legacy": [],
        "api": [],
    }


def test_markdown_is_written_beside_the_registry_and_only_when_it_changes(
    registry: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(registry.parent)
    target = registry.parent / "INSTANCES.md"
    target.unlink(missing_ok=True)
    assert main(["fleet", "status", "--markdown"]) == 0
    assert f"wrote {target}" in capsys.readouterr().out
    text = target.read_text()
    assert "| Project | Location | Team | Last Updated | Template Version | Status |" in text
    assert "| search | instances/search | discovery | 2024-03-02 | 2.0.0 | 1 version behind |" in (
        text
    )
    before = target.stat().st_mtime_ns, target.stat().st_ino
    assert main(["fleet", "status", "--markdown", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["template"] == "template"
    assert f"wrote {target}" in err
    assert (target.stat().st_mtime_ns, target.stat().st_ino) == before  # the same text
    target.unlink()


def test_markdown_to_a_file_of_its_own(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "docs" / "fleet.md"
    target.parent.mkdir()
    target.write_text("old\n")
    target.chmod(0o755)
    assert main(["fleet", "status", "--fleet", str(registry), "--markdown", str(target)]) == 0
    assert target.read_text().startswith("# Instances\n")
    assert target.stat().st_mode & 0o777 == 0o755
    assert main(["fleet", "status", "--fleet", str(registry), "--markdown", str(tmp_path)]) == 0
    assert (tmp_path / "INSTANCES.md").read_text() == target.read_text()
    capsys.readouterr()


def test_without_a_registry_it_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["fleet", "status"]) == 1
    assert "templsync fleet discover ROOT" in capsys.readouterr().err
