"""``templsync fleet discover | add | remove``: the registry found from the template's folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleet.fleet_helpers import make_instance, make_template
from instance.helpers import git
from templsync.cli.main import main
from templsync.fleet.discover import discover
from templsync.fleet.registry import REGISTRY_FILE, FleetEntry, load_fleet
from testing.trees import build_tree


@pytest.fixture
def tpl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The template (the current folder) and, beside it, instances of it and of another."""
    template = make_template(tmp_path / "tpl")
    make_instance(tmp_path / "services" / "billing", "../../tpl")
    make_instance(tmp_path / "services" / "ledger", "gh:org/service-template")
    make_instance(tmp_path / "services" / "other", "gh:org/other-template")
    build_tree(tmp_path / "services" / "broken", {".copier-answers.yml": "_src_path: [\n"})
    monkeypatch.chdir(template)
    return template


@pytest.mark.parametrize(
    "command", [["fleet"], ["fleet", "discover"], ["fleet", "add"], ["fleet", "remove"]]
)
def test_every_fleet_help_has_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example:" in out
    assert "templsync fleet" in out.split("Example:")[1]


def test_fleet_is_a_command_of_templsync(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "fleet" in capsys.readouterr().out


def test_discover_in_the_template_folder_creates_the_registry(
    tpl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "discover", "../services"]) == 0
    out, err = capsys.readouterr()
    assert "added billing" in out and "added ledger" in out
    assert f"2 added, 0 already listed, 1 skipped, 1 of other templates; created {tpl}" in out
    assert "skipped ../services/broken/.copier-answers.yml: line 2:" in err
    fleet = load_fleet(tpl / REGISTRY_FILE)
    assert fleet.template == "."
    assert fleet.entries == (
        FleetEntry("billing", "../services/billing"),
        FleetEntry("ledger", "../services/ledger"),
    )
    assert main(["fleet", "discover", "../services"]) == 0
    out = capsys.readouterr().out
    assert "listed billing" in out
    assert "0 added, 2 already listed" in out and "unchanged" in out


def test_discover_json_and_pretend_write_nothing(
    tpl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "discover", "../services", "--json", "--pretend"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not (tpl / REGISTRY_FILE).exists()
    assert data["created"] is True and data["pretend"] is True
    assert [e["name"] for e in data["added"]] == ["billing", "ledger"]
    assert data["added"][0] == {
        "name": "billing",
        "location": "../services/billing",
        "team": None,
        "wave": None,
        "answers_file": None,
        "test_command": None,
        "branch": None,
        "last_update": None,
    }
    assert data["existing"] == []
    assert data["skipped"][0]["path"] == "../services/broken/.copier-answers.yml"
    assert data["skipped"][0]["reason"].startswith("line 2: ")
    assert data["other_templates"] == 1


def test_discover_names_one_instance(tpl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "discover", "../services", "--name", "x"]) == 1
    assert "--name names one new instance, but 2 were found" in capsys.readouterr().err
    assert not (tpl / REGISTRY_FILE).exists()
    assert main(["fleet", "discover", "../services/billing", "--name", "payments"]) == 0
    assert load_fleet(tpl / REGISTRY_FILE).entry("payments").location == "../services/billing"


def test_outside_a_template_without_a_registry_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_template(tmp_path / "tpl")
    monkeypatch.chdir(tmp_path)
    assert main(["fleet", "discover", "services"]) == 1
    assert "not a template (no copier.yml)" in capsys.readouterr().err
    assert main(["fleet", "remove", "x"]) == 1
    assert "`templsync fleet discover ROOT`" in capsys.readouterr().err


def test_fleet_option_names_the_registry_from_elsewhere(
    tpl: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "discover", "../services"]) == 0
    monkeypatch.chdir(tpl.parent)
    assert main(["fleet", "remove", "ledger", "--fleet", "tpl"]) == 0
    assert "removed ledger (../services/ledger)" in capsys.readouterr().out
    make_instance(tpl.parent / "services" / "late", "../../tpl")
    assert main(["fleet", "discover", "services", "--fleet", f"tpl/{REGISTRY_FILE}"]) == 0
    assert [e.name for e in load_fleet(tpl / REGISTRY_FILE).entries] == [
        "billing",
        "late",
        "ledger",
    ]


def test_add_and_remove_one_entry(tpl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "discover", "../services/billing"]) == 0
    (tpl / REGISTRY_FILE).write_text((tpl / REGISTRY_FILE).read_text() + "# more to come\n")
    args = ["--team", "ledgers", "--wave", "2", "--test-command", "make test", "--branch", "main"]
    assert main(["fleet", "add", "../services/ledger", "--name", "books", *args]) == 0
    assert "added books (../services/ledger)" in capsys.readouterr().out
    fleet = load_fleet(tpl / REGISTRY_FILE)
    assert fleet.entry("books") == FleetEntry(
        "books", "../services/ledger", "ledgers", 2, None, "make test", "main"
    )
    assert (tpl / REGISTRY_FILE).read_text().endswith('branch = "main"\n\n# more to come\n')
    assert main(["fleet", "add", "../services/ledger", "--wave", "canary"]) == 1
    assert "already in" in capsys.readouterr().err
    assert main(["fleet", "remove", "books", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "books"
    assert main(["fleet", "remove", "book"]) == 1
    assert "no instance is named 'book'" in capsys.readouterr().err
    assert [e.name for e in load_fleet(tpl / REGISTRY_FILE).entries] == ["billing"]
    assert (tpl / REGISTRY_FILE).read_text().endswith('"../services/billing"\n\n# more to come\n')


@pytest.mark.parametrize(
    ("path", "extra", "reason"),
    [
        ("../services/other", [], "records another template: _src_path is 'gh:org/other-template'"),
        ("../services/broken", [], ".copier-answers.yml: line 2: the answers file is not valid"),
        ("../services/missing", [], "no such folder"),
        ("../services/billing", ["--answers-file", ".answers.yml"], "no .answers.yml in it"),
    ],
)
def test_add_refuses_what_is_not_an_instance(
    tpl: Path, path: str, extra: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "add", path, *extra]) == 1
    assert reason in capsys.readouterr().err
    assert not (tpl / REGISTRY_FILE).exists()


def test_add_a_git_url_clones_it_into_the_cache_to_check_it(
    tpl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = make_instance(tmp_path / "remote" / "search", "git@github.com:org/service-template")
    git(remote, "init", "-q")
    git(remote, "add", "-A")
    git(remote, "commit", "-q", "-m", "instance")
    assert main(["fleet", "add", remote.as_uri(), "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)
    assert entry["name"] == "search" and entry["location"] == remote.as_uri()
    clones = list((Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "fleet").iterdir())
    assert len(clones) == 1 and (clones[0] / ".copier-answers.yml").is_file()


def test_the_fleet_commands_load_no_engine_for_help() -> None:
    code = (
        "import sys\nfrom templsync.cli.main import main\ncode = main(['fleet', '--help'])\n"
        "sys.stderr.write('\\n'.join(sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(done.stderr.split())
    assert not {m for m in modules if m.startswith(("templsync.fleet", "tomlkit", "pygit2"))}


def test_an_edit_made_while_discover_searched_is_kept(tpl: Path) -> None:
    assert main(["fleet", "discover", "../services/billing"]) == 0
    registry = tpl / REGISTRY_FILE
    result = discover(load_fleet(registry), [tpl.parent / "services"])
    assert [e.name for e in result.added] == ["ledger"]
    edited = registry.read_text().replace("[[instance]]\n", '[[instance]]\nteam = "x"\n')
    registry.write_text(edited)  # by hand, while the search ran

    fleet = result.onto_registry()

    assert fleet.entry("billing").team == "x"
    assert [e.name for e in fleet.entries] == ["billing", "ledger"]
