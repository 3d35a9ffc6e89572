"""``discover``: instances of the template found whatever ``_src_path`` spelling they record."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleet.fleet_helpers import TEMPLATE_URL, make_instance, make_template
from instance.helpers import git
from templsync.cli.main import main
from templsync.errors import UserError
from templsync.fleet.discover import discover, url_key
from templsync.fleet.registry import REGISTRY_FILE, FleetEntry, load_fleet
from templsync.fleet.registry_save import save_fleet
from testing.trees import build_tree


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tpl/`` (the template), ``other-tpl/`` and, under ``services/``, instances of both."""
    tpl = make_template(tmp_path / "tpl")
    make_template(tmp_path / "other-tpl", remote="https://github.com/org/other.git")
    services = tmp_path / "services"
    make_instance(services / "rel-here", "../../tpl")  # relative to the instance
    make_instance(services / "rel-parent", "../tpl")  # relative to the folder the copy ran in
    make_instance(services / "absolute", str(tpl))
    make_instance(services / "gh-alias", "gh:org/service-template")
    make_instance(services / "https", "https://github.com/ORG/service-template")
    make_instance(services / "file-url", tpl.as_uri())
    make_instance(services / "other", "../../other-tpl")
    make_instance(services / "other-url", "gh:org/other")
    build_tree(services / "corrupt", {".copier-answers.yml": "_src_path: [unclosed\nname: x\n"})
    build_tree(services / "no-source", {".copier-answers.yml": "name: x\n"})
    make_instance(services / "two", "gh:org/other")
    make_instance(services / "two", "../../tpl", answers_file=".copier-answers.svc.yml")
    make_instance(services / "node_modules" / "pkg", "../../../tpl")
    make_instance(services / "rel-here" / ".venv" / "x", str(tpl))
    mono = tmp_path / "mono"
    build_tree(mono, {"README.md": "monorepo\n"})
    git(mono, "init", "-q")
    monkeypatch.chdir(mono)  # the copy runs at the monorepo's root, as Copier users do
    assert main(["copy", "../tpl", "services/api", "--defaults", "--quiet"]) == 0
    monkeypatch.chdir(tmp_path)
    return tmp_path


def names(entries: tuple[FleetEntry, ...]) -> list[str]:
    return sorted(e.name for e in entries)


FOUND = ["absolute", "api", "file-url", "gh-alias", "https", "rel-here", "rel-parent", "two"]


def test_discover_finds_every_spelling_and_reports_the_rest(world: Path) -> None:
    result = discover(world / "tpl", [world / "services", world / "mono"])
    assert names(result.added) == FOUND
    assert result.existing == ()
    assert result.other_templates == 3  # other, other-url, two's default answers file
    skipped = {path.relative_to(world).as_posix(): reason for path, reason in result.skipped}
    assert set(skipped) == {
        "services/corrupt/.copier-answers.yml",
        "services/no-source/.copier-answers.yml",
    }
    assert skipped["services/corrupt/.copier-answers.yml"].startswith(
        "line 2: the answers file is not valid YAML"
    )
    assert "no _src_path" in skipped["services/no-source/.copier-answers.yml"]
    by_name = {e.name: e for e in result.added}
    assert by_name["rel-here"] == FleetEntry("rel-here", "../services/rel-here")
    assert by_name["api"] == FleetEntry("api", "../mono/services/api")
    assert by_name["two"] == FleetEntry(
        "two", "../services/two", answers_file=".copier-answers.svc.yml"
    )
    assert result.fleet.path == (world / "tpl" / REGISTRY_FILE).resolve()
    assert result.fleet.template == "."
    assert result.fleet.entries == result.added


def test_a_url_template_matches_urls_and_local_clones_with_that_remote(world: Path) -> None:
    result = discover(TEMPLATE_URL, [world / "services"])
    assert names(result.added) == sorted(set(FOUND) - {"api"})
    assert result.fleet.template == TEMPLATE_URL


def test_rerunning_adds_nothing_and_keeps_hand_edits(world: Path) -> None:
    roots = [world / "services", world / "mono"]
    first = discover(world / "tpl", roots)
    save_fleet(first.fleet)
    path = first.fleet.path
    edited = path.read_text().replace(
        'name = "api"\n', '# the API gateway\nname = "gateway"\nteam = "edge"\nwave = 0\n'
    )
    path.write_text(edited)
    make_instance(world / "services" / "late", "../../tpl")
    again = discover(load_fleet(path), roots)
    assert names(again.added) == ["late"]
    assert names(again.existing) == sorted({*FOUND, "gateway"} - {"api"})
    save_fleet(again.fleet)
    text = path.read_text()
    assert text.startswith(edited)
    assert text.endswith('[[instance]]\nname = "late"\nlocation = "../services/late"\n')
    third = discover(load_fleet(path), roots)
    assert third.added == ()
    assert len(third.existing) == len(FOUND) + 1


def test_folder_names_two_instances_share_get_their_parent_in_front(world: Path) -> None:
    make_instance(world / "teams" / "a" / "api", "../../../tpl")
    make_instance(world / "teams" / "b" / "api", "../../../tpl")
    result = discover(world / "tpl", [world / "teams", world / "mono"])
    assert names(result.added) == ["a-api", "b-api", "services-api"]
    save_fleet(result.fleet)
    make_instance(world / "teams" / "c" / "api", "../../../tpl")
    make_instance(world / "teams" / "c" / "web", "../../../tpl")
    again = discover(load_fleet(result.fleet.path), [world / "teams"])
    assert names(again.added) == ["api", "web"]
    by_location = {e.location: e.name for e in again.added}
    assert by_location["../teams/c/api"] == "api"


def test_name_names_the_one_instance_found(world: Path) -> None:
    result = discover(world / "tpl", [world / "services" / "rel-here"], name="billing")
    assert result.added == (FleetEntry("billing", "../services/rel-here"),)
    with pytest.raises(UserError, match="--name names one new instance, but 8 were found"):
        discover(world / "tpl", [world / "services", world / "mono"], name="billing")


def test_a_missing_root_is_reported(world: Path) -> None:
    result = discover(world / "tpl", [world / "nowhere", world / "services" / "https"])
    assert result.skipped == ((world / "nowhere", "no such folder"),)
    assert names(result.added) == ["https"]


def test_an_answers_file_given_as_a_root_is_read(world: Path) -> None:
    answers = world / "services" / "two" / ".copier-answers.svc.yml"
    result = discover(world / "tpl", [answers, answers])
    assert result.added == (
        FleetEntry("two", "../services/two", answers_file=".copier-answers.svc.yml"),
    )


def test_far_away_instances_are_written_as_absolute_paths(tmp_path: Path) -> None:
    tpl = make_template(tmp_path / "a" / "b" / "c" / "d" / "tpl")
    make_instance(tmp_path / "far", str(tpl))
    result = discover(tpl, [tmp_path / "far"])
    assert result.added == (FleetEntry("far", (tmp_path / "far").resolve().as_posix()),)


def test_a_template_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    from templsync.fleet.registry import new_fleet

    fleet = new_fleet(tmp_path / REGISTRY_FILE, "../gone")
    with pytest.raises(UserError, match=r"'../gone'.*does not exist"):
        discover(fleet, [tmp_path])


@pytest.mark.parametrize(
    "spelling",
    [
        "gh:org/service-template",
        "gh:/org/service-template.git",
        "https://github.com/Org/Service-Template",
        "https://user:token@github.com/org/service-template.git/",
        "git+https://github.com/org/service-template.git",
        "git@github.com:org/service-template.git",
        "ssh://git@github.com:22/org/service-template.git",
    ],
)
def test_url_spellings_of_one_repository_are_equal(spelling: str) -> None:
    assert url_key(spelling) == url_key(TEMPLATE_URL) == "github.com/org/service-template"


def test_path_case_counts_on_other_hosts() -> None:
    assert url_key("https://git.example.com/Org/Repo.git") == "git.example.com/Org/Repo"
    assert url_key("gl:group/sub/repo") == "gitlab.com/group/sub/repo"
