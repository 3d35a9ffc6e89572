"""``templsync fleet update``: each instance's steps, selection, parallel runs and the reports."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fleet.status_helpers import commit_all, copied, git, hermetic_git, make_template, new_repo
from templsync.cli.main import main
from templsync.fleet.bulkupdate import FleetUpdateOptions, Result, fleet_update
from templsync.fleet.registry import Fleet, FleetFileError, LastUpdate, load_fleet
from templsync.fleet.registry_save import render_fleet
from testing.trees import build_tree

# name, location, version, extra registry lines
INSTANCES = [
    ("billing", "billing", "2.0.0", 'team = "payments"\nwave = 1\n'),
    ("search", "search", "1.2.0", 'team = "discovery"\nwave = 1\n'),
    ("current", "current", "2.1.0", 'team = "payments"\n'),
    ("dirty", "dirty", "2.0.0", ""),
    ("clash", "clash", "2.0.0", 'team = "payments"\nwave = 2\n'),
    ("failing", "failing", "2.0.0", 'test_command = "echo one; echo two; echo boom; exit 3"\n'),
    ("slow", "slow", "2.0.0", 'test_command = "echo started; sleep 30"\n'),
    ("api", "platform/services/api", "2.0.0", 'team = "platform"\nwave = 2\n'),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The instances and their registry (built once); the template beside them, read only."""
    with hermetic_git(tmp_path_factory.mktemp("home")):
        base = tmp_path_factory.mktemp("fleet-update")
        template = make_template(base / "template")
        root = base / "fleet"
        for name, location, version, _ in INSTANCES:
            if name == "api":
                platform = new_repo(root / "platform")
                copied(template, platform / "services" / "api", version, "api")
                copied(template, platform / "services" / "web", "2.0.0", "web")
                commit_all(platform, "Two services", "2024-03-06T10:00:00+00:00")
                continue
            folder = new_repo(copied(template, root / location, version, name))
            if name == "clash":
                build_tree(folder, {"app/main.py": "print('clash, customized')\n"})
            commit_all(folder, "From the template", "2024-03-01T10:00:00+00:00")
            if name == "dirty":
                build_tree(folder, {"NOTES.txt": "not committed\n"})
        (root / "templsync-fleet.toml").write_text(
            f'template = "{template}"\ntest_command = "test -f app/main.py"\n\n'
            + "".join(
                f'[[instance]]\nname = "{name}"\nlocation = "{location}"\n{extra}\n'
                for name, location, _, extra in INSTANCES
            )
        )
        yield root


@pytest.fixture
def fleet_root(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the fleet for one test (the template is shared)."""
    return Path(shutil.copytree(pristine, tmp_path / "fleet", symlinks=True))


def outcomes(root: Path, **options: Any) -> dict[str, Result]:
    found = fleet_update(load_fleet(root / "templsync-fleet.toml"), FleetUpdateOptions(**options))
    return {o.name: o.result for o in found.outcomes}


def run_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(["fleet", "update", "--fleet", str(root), "--json", "--test-timeout", "2", *args])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


EXPECTED = {
    "billing": "updated",
    "search": "updated",
    "current": "up to date",
    "dirty": "skipped",
    "clash": "conflicts",
    "failing": "tests failed",
    "slow": "tests failed",
    "api": "updated",
}


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "update", "--help"]) == 0
    assert "templsync fleet update --wave" in capsys.readouterr().out.split("Example:")[1]


def test_every_outcome_in_one_run(fleet_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(fleet_root, capsys, "--jobs", "2")
    assert code == 1
    found = {i["name"]: i for i in data["instances"]}
    assert {n: i["outcome"] for n, i in found.items()} == EXPECTED
    assert data["latest"] == "2.1.0"
    assert data["clean"] is False
    assert data["counts"] == {
        "updated": 3,
        "up to date": 1,
        "conflicts": 1,
        "tests failed": 2,
        "skipped": 1,
        "error": 0,
    }

    billing = fleet_root / "billing"
    assert found["billing"]["branch"] == "templsync/update-2.1.0"
    assert git(billing, "branch", "--show-current") == "templsync/update-2.1.0"
    assert git(billing, "status", "--porcelain") == ""
    assert found["billing"]["commit"] == git(billing, "rev-parse", "HEAD")
    message = git(billing, "log", "-1", "--format=%B")
    assert "2.0.0 to 2.1.0" in message
    assert "Fix the greeting" in message
    assert "_commit: 2.1.0" in (billing / ".copier-answers.yml").read_text()
    search_message = git(fleet_root / "search", "log", "-1", "--format=%B")
    assert "Document the usage" in search_message
    assert "Fix the greeting" in search_message

    assert found["current"]["from_version"] == "2.1.0"
    assert found["dirty"]["reason"] == "uncommitted changes"
    assert git(fleet_root / "dirty", "branch", "--show-current") == "main"

    assert found["clash"]["conflicts"] == ["app/main.py"]
    assert "<<<<<<<" in (fleet_root / "clash" / "app/main.py").read_text()
    assert git(fleet_root / "clash", "log", "-1", "--format=%s") == "From the template"

    failing = found["failing"]
    assert failing["reason"] == "`echo one; echo two; echo boom; exit 3` exited with 3"
    assert failing["test_output"] == "one\ntwo\nboom"
    assert git(fleet_root / "failing", "log", "-1", "--format=%s") == "From the template"
    assert git(fleet_root / "failing", "status", "--porcelain") != ""

    assert "timed out after 2 s" in found["slow"]["reason"]
    assert found["slow"]["test_output"] == "started"

    entries = {e.name: e for e in load_fleet(fleet_root / "templsync-fleet.toml").entries}
    today = datetime.now(UTC).date().isoformat()
    assert entries["billing"].last_update == LastUpdate("updated", "2.1.0", today)
    assert entries["clash"].last_update == LastUpdate("conflicts")
    assert entries["failing"].last_update == LastUpdate("tests failed")
    assert entries["current"].last_update is None
    assert entries["dirty"].last_update is None

    # In the monorepo only the instance's folder is committed; its sibling is untouched.
    platform = fleet_root / "platform"
    changed = git(platform, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert changed and all(p.startswith("services/api/") for p in changed)
    assert "_commit: 2.0.0" in (platform / "services/web/.copier-answers.yml").read_text()


def test_a_second_run_finds_them_up_to_date(fleet_root: Path) -> None:
    chosen = ("billing", "search", "api")
    assert outcomes(fleet_root, only=chosen, jobs=1) == dict.fromkeys(chosen, Result.UPDATED)
    assert outcomes(fleet_root, only=chosen, jobs=1) == dict.fromkeys(chosen, Result.UP_TO_DATE)


def test_jobs_1_and_jobs_2_agree(pristine: Path, tmp_path: Path) -> None:
    one = Path(shutil.copytree(pristine, tmp_path / "one", symlinks=True))
    two = Path(shutil.copytree(pristine, tmp_path / "two", symlinks=True))
    skip_slow = tuple(n for n in EXPECTED if n != "slow")
    serial = outcomes(one, only=skip_slow, jobs=1)
    assert serial == outcomes(two, only=skip_slow, jobs=2)
    assert {n: r.value for n, r in serial.items()} == {n: EXPECTED[n] for n in skip_slow}


def test_in_place_stays_on_the_branch(fleet_root: Path) -> None:
    found = fleet_update(
        load_fleet(fleet_root / "templsync-fleet.toml"),
        FleetUpdateOptions(only=("billing",), in_place=True),
    )
    assert found.outcomes[0].result is Result.UPDATED
    assert found.outcomes[0].branch is None
    billing = fleet_root / "billing"
    assert git(billing, "branch", "--show-current") == "main"
    assert "Fix the greeting" in git(billing, "log", "-1", "--format=%B")


def test_no_commit_leaves_it_staged(fleet_root: Path) -> None:
    assert outcomes(fleet_root, only=("billing",), commit=False) == {"billing": Result.UPDATED}
    billing = fleet_root / "billing"
    assert git(billing, "log", "-1", "--format=%s") == "From the template"
    staged = git(billing, "diff", "--cached", "--name-only").splitlines()
    assert ".copier-answers.yml" in staged
    assert git(billing, "diff", "--name-only") == ""


def test_dry_run_writes_nothing(fleet_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p: p.read_bytes() for p in fleet_root.rglob("*") if p.is_file()}
    code, data = run_json(fleet_root, capsys, "--dry-run", "--jobs", "1")
    assert code == 1
    assert data["dry_run"] is True
    found = {i["name"]: i["outcome"] for i in data["instances"]}
    assert found == EXPECTED | {"failing": "updated", "slow": "updated"}
    after = {p: p.read_bytes() for p in fleet_root.rglob("*") if p.is_file()}
    assert after == before

    args = ["fleet", "update", "--fleet", str(fleet_root), "--dry-run", "--jobs", "1"]
    assert main([*args, "--only", "billing", "--test-timeout", "2"]) == 0
    out = capsys.readouterr().out
    assert "would update" in out and "dry run: 1 instance: 1 would update" in out


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({"only": ("billing", "current")}, ["billing", "current"]),
        ({"teams": ("payments",)}, ["billing", "current", "clash"]),
        ({"waves": ("2",)}, ["clash", "api"]),
        ({"teams": ("payments",), "waves": ("1",)}, ["billing"]),
    ],
)
def test_selection(fleet_root: Path, options: dict[str, Any], names: list[str]) -> None:
    assert list(outcomes(fleet_root, dry_run=True, jobs=1, **options)) == names


def test_an_unknown_name_is_an_error(fleet_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "update", "--fleet", str(fleet_root), "--only", "biling"]) == 1
    assert "Did you mean 'billing'" in capsys.readouterr().err


def test_table_and_markdown(
    fleet_root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    report = fleet_root / "UPDATE.md"
    args = ["fleet", "update", "--fleet", str(fleet_root), "--only", "billing", "--only", "clash"]
    assert main([*args, "--markdown", str(report)]) == 1
    out = capsys.readouterr().out
    assert "templsync/update-2.1.0" in out
    assert "1 updated, 1 conflicts" in out
    assert report.read_text().splitlines() == [
        "| Project | Outcome | From | To | Branch | Reason |",
        "| --- | --- | --- | --- | --- | --- |",
        "| billing | updated | 2.0.0 | 2.1.0 | templsync/update-2.1.0 |  |",
        "| clash | conflicts | 2.0.0 | 2.1.0 | templsync/update-2.1.0 | "
        "1 file in conflict: app/main.py |",
    ]


def test_a_clean_run_exits_0(fleet_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(fleet_root, capsys, "--only", "billing", "--only", "current")
    assert code == 0
    assert data["clean"] is True


def test_a_failure_keeps_the_last_good_version_and_comments(tmp_path: Path) -> None:
    text = (
        'template = "t"\n\n# the canary\n[[instance]]\nname = "a"\nlocation = "a"\n'
        'last_update = { outcome = "updated", version = "1.0.0", date = "2024-01-02" }\n'
    )
    path = tmp_path / "templsync-fleet.toml"
    path.write_text(text)
    fleet = load_fleet(path)
    assert fleet.entries[0].last_update == LastUpdate("updated", "1.0.0", "2024-01-02")
    assert render_fleet(fleet, text) == text
    failed = LastUpdate("conflicts", "1.0.0", "2024-01-02")
    again = replace(fleet, entries=(replace(fleet.entries[0], last_update=failed),))
    rewritten = render_fleet(again, text)
    assert rewritten.startswith(text.split("last_update", maxsplit=1)[0])
    assert load_fleet_text(tmp_path, rewritten).entries[0].last_update == failed


def load_fleet_text(folder: Path, text: str) -> Fleet:
    path = folder / "again.toml"
    path.write_text(text)
    return load_fleet(path)


def test_a_malformed_last_update_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "templsync-fleet.toml"
    path.write_text('template = "t"\n[[instance]]\nname = "a"\nlocation = "a"\nlast_update = 3\n')
    with pytest.raises(FleetFileError, match=r":5: last_update must be a table"):
        load_fleet(path)


def test_one_failure_does_not_stop_the_others(fleet_root: Path) -> None:
    git(fleet_root / "billing", "branch", "templsync/update-2.1.0")
    found = fleet_update(
        load_fleet(fleet_root / "templsync-fleet.toml"),
        FleetUpdateOptions(only=("billing", "search"), jobs=1),
    )
    billing, search = found.outcomes
    assert billing.result is Result.ERROR
    assert "already exists" in (billing.reason or "")
    assert search.result is Result.UPDATED
    assert not found.clean


def test_the_update_branch_starts_from_the_entry_branch(fleet_root: Path) -> None:
    search = fleet_root / "search"
    git(search, "checkout", "-q", "-b", "feature")
    build_tree(search, {"feature.txt": "unfinished\n"})
    commit_all(search, "Work in progress", "2024-05-01T10:00:00+00:00")
    registry = fleet_root / "templsync-fleet.toml"
    registry.write_text(
        registry.read_text().replace('name = "search"\n', 'name = "search"\nbranch = "main"\n')
    )
    assert outcomes(fleet_root, only=("search",), jobs=1) == {"search": Result.UPDATED}
    assert git(search, "branch", "--show-current") == "templsync/update-2.1.0"
    assert not (search / "feature.txt").exists()
    assert git(search, "log", "-1", "--format=%P") == git(search, "rev-parse", "main")


def test_instances_of_one_repository_are_updated_on_one_branch(fleet_root: Path) -> None:
    """Both services of the monorepo: the second continues on the branch the first made."""
    registry = fleet_root / "templsync-fleet.toml"
    web = '[[instance]]\nname = "web"\nlocation = "platform/services/web"\n'
    registry.write_text(registry.read_text() + web)
    found = outcomes(fleet_root, only=("api", "web"), jobs=2)
    assert found == {"api": Result.UPDATED, "web": Result.UPDATED}
    platform = fleet_root / "platform"
    assert git(platform, "branch", "--show-current") == "templsync/update-2.1.0"
    assert git(platform, "status", "--porcelain") == ""
    for commit, service in (("HEAD~1", "api"), ("HEAD", "web")):
        changed = git(platform, "show", "--name-only", "--format=", commit).splitlines()
        assert changed and all(p.startswith(f"services/{service}/") for p in changed)
