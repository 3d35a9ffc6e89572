"""``fleet_status``: every instance's state against one reading of the template's history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pygit2
import pytest

from fleet.status_helpers import (
    EXPECTED,
    SUBJECTS_NEWEST_FIRST,
    commit_all,
    copied,
    git,
    hermetic_git,
    make_fleet,
    make_template,
    new_repo,
)
from templsync._io.sources import GitSource, resolve_source
from templsync.fleet import status as status_module
from templsync.fleet.categories import Category
from templsync.fleet.facts import last_change
from templsync.fleet.history import TemplateHistory
from templsync.fleet.registry import load_fleet
from templsync.fleet.status import (
    FleetStatus,
    Member,
    NotAGitTemplateError,
    State,
    collect_status,
    fleet_status,
    markdown_table,
)
from testing.trees import build_tree


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fleet of ``status_helpers``, built once for the module."""
    with hermetic_git(tmp_path_factory.mktemp("home")):
        yield make_fleet(tmp_path_factory.mktemp("fleet"))


@pytest.fixture(scope="module")
def status(registry: Path) -> FleetStatus:
    return fleet_status(load_fleet(registry), jobs=1)


def by_name(found: FleetStatus) -> dict[str, status_module.InstanceStatus]:
    return {i.name: i for i in found.instances}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_instance_has_its_state_and_distance(status: FleetStatus, name: str) -> None:
    found, expected = by_name(status)[name], EXPECTED[name]
    assert found.status == expected.status
    assert found.commits_behind == expected.commits_behind
    assert found.versions_behind == expected.versions_behind
    shown = found.last_updated.date().isoformat() if found.last_updated else None
    assert shown == expected.last_updated


def test_instances_keep_the_registry_order_team_and_location(status: FleetStatus) -> None:
    assert [i.name for i in status.instances] == list(EXPECTED)
    billing = by_name(status)["billing"]
    assert (billing.team, billing.location) == ("payments", "instances/billing")
    assert by_name(status)["reports"].team is None


def test_the_template_version_is_the_recorded_commit(status: FleetStatus) -> None:
    instances = by_name(status)
    assert instances["legacy"].recorded == "1.0.0"
    assert str(instances["legacy"].version) == "1.0.0"
    assert instances["api"].recorded == "2.0.0"
    assert instances["ledger"].recorded == "2.1.0"  # the update wrote it; conflicts remain
    assert status.latest.recorded == "2.1.0"
    assert status.template == "template"  # as the registry spells it


def test_states_follow_the_most_urgent_fact(status: FleetStatus) -> None:
    instances = by_name(status)
    assert instances["legacy"].state is State.MAJOR_BEHIND
    assert instances["search"].state is State.BEHIND
    assert instances["reports"].state is State.DIRTY
    assert instances["ledger"].state is State.CONFLICTS
    assert instances["ledger"].unmerged == ("app/main.py",)
    # A sibling folder of the monorepo has uncommitted changes; api itself has none.
    assert instances["api"].state is State.BEHIND
    assert status.counts() == {
        State.BROKEN: 4,
        State.CONFLICTS: 1,
        State.DIRTY: 1,
        State.MAJOR_BEHIND: 1,
        State.BEHIND: 2,
        State.UP_TO_DATE: 1,
    }


def test_a_broken_instance_says_why_in_full(status: FleetStatus, registry: Path) -> None:
    instances = by_name(status)
    assert instances["gone"].detail == f"{registry.parent / 'instances' / 'gone'} is not a folder."
    corrupt = instances["corrupt"].detail or ""
    assert ".copier-answers.yml:2: the answers file is not valid YAML" in corrupt
    other = registry.parent / "other-template"
    assert instances["foreign"].detail == (
        f".copier-answers.yml records another template: _src_path is {str(other)!r}"
    )
    assert instances["lost"].recorded == "0.9.0"
    for name in ("gone", "corrupt", "foreign", "lost"):
        assert instances[name].commits_behind is None


def test_the_changes_since_the_oldest_version_are_grouped_by_category(
    status: FleetStatus,
) -> None:
    assert status.since == "1.0.0"
    assert tuple(c.subject for c in status.changes) == SUBJECTS_NEWEST_FIRST
    groups = {
        category.value: [c.subject for c in changes]
        for category, changes in status.by_category().items()
    }
    assert groups == {
        "dependency manifests": ["Bump fastapi to 0.110"],
        "database migrations": ["Add the first migration"],
        "configuration": ["App 2.0 reads a settings file"],
        "CI": ["Add a CI workflow"],
        "application code": ["Fix the greeting", "App 2.0 reads a settings file"],
        "docs": ["Document the usage"],
    }
    settings = status.changes[1]
    assert settings.paths == ("app/main.py.jinja", "settings.toml")
    assert settings.categories == {Category.APPLICATION, Category.CONFIGURATION}
    assert settings.date.isoformat() == "2023-06-15T09:00:00+02:00"


def test_conflicts_dry_run_the_update_of_every_instance_behind(registry: Path) -> None:
    search = registry.parent / "instances" / "search"
    before = git(search, "status", "--porcelain"), (search / "app" / "main.py").read_text()
    found = by_name(fleet_status(load_fleet(registry), conflicts=True, jobs=2))
    assert found["search"].conflicts == ("app/main.py",)
    assert found["legacy"].conflicts == ()
    assert found["api"].conflicts == ()
    for name in ("billing", "reports", "ledger", "gone", "corrupt"):
        assert found[name].conflicts is None  # up to date or broken: nothing to dry-run
    assert (git(search, "status", "--porcelain"), (search / "app/main.py").read_text()) == before


def test_reading_in_worker_processes_gives_the_same_status(
    registry: Path, status: FleetStatus
) -> None:
    assert fleet_status(load_fleet(registry), jobs=2, parallel_from=2) == status


def test_progress_is_reported_per_instance(registry: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    fleet_status(load_fleet(registry), jobs=1, progress=lambda *step: seen.append(step))
    assert seen == [("instances", n, len(EXPECTED)) for n in range(1, len(EXPECTED) + 1)]


def test_the_markdown_table(status: FleetStatus) -> None:
    lines = markdown_table(status).splitlines()
    assert lines[:6] == [
        "# Instances",
        "",
        "Template: `template`, latest version 2.1.0.",
        "",
        "| Project | Location | Team | Last Updated | Template Version | Status |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    assert lines[6:9] == [
        "| billing | instances/billing | payments | 2024-03-01 | 2.1.0 | up to date |",
        "| search | instances/search | discovery | 2024-03-02 | 2.0.0 | 1 version behind |",
        "| legacy | instances/legacy | payments | 2023-06-01 | 1.0.0 "
        "| major version behind (4 versions behind) |",
    ]
    assert (
        lines[-1]
        == "| lost | instances/lost |  |  | 0.9.0 | broken: _commit 0.9.0 is not in the template |"
    )
    assert len(lines) == 6 + len(EXPECTED)


def test_a_pipe_in_a_cell_is_escaped(status: FleetStatus) -> None:
    renamed = replace(status.instances[0], name="a|b", team="x\\y")
    table = markdown_table(replace(status, instances=(renamed,)))
    assert "| a\\|b | instances/billing | x\\\\y |" in table


def test_a_template_that_is_a_plain_folder_is_an_error(tmp_path: Path) -> None:
    build_tree(tmp_path / "tpl", {"copier.yml": ""})
    with pytest.raises(NotAGitTemplateError, match="is a folder, not a git repository"):
        collect_status(str(tmp_path / "tpl"), [])


def test_an_instance_that_cannot_be_checked_out_is_broken(tmp_path: Path) -> None:
    make_template(tmp_path / "tpl")
    (tmp_path / "templsync-fleet.toml").write_text(
        'template = "tpl"\n\n[[instance]]\nname = "far"\n'
        f'location = "file://{tmp_path}/missing.git"\n'
    )
    found = fleet_status(load_fleet(tmp_path / "templsync-fleet.toml"), jobs=1)
    (far,) = found.instances
    assert far.status == "broken: not checked out"
    assert "cannot clone" in (far.detail or "")
    assert found.changes == () and found.since is None


def test_an_instance_made_from_the_templates_url_belongs_to_a_fleet_of_its_clone(
    tmp_path: Path,
) -> None:
    template = make_template(tmp_path / "tpl")
    git(template, "remote", "add", "origin", "git@github.com:Org/Service-Template.git")
    instance = copied(template, tmp_path / "inst", "2.0.0", "inst")
    answers = (instance / ".copier-answers.yml").read_text()
    assert f"_src_path: {template}" in answers
    spelled = answers.replace(str(template), "gh:org/service-template")
    build_tree(instance, {".copier-answers.yml": spelled})
    registry = tmp_path / "templsync-fleet.toml"
    registry.write_text('template = "tpl"\n\n[[instance]]\nname = "inst"\nlocation = "inst"\n')
    (found,) = fleet_status(load_fleet(registry), jobs=1).instances
    assert (found.status, found.commits_behind) == ("1 version behind", 1)
    # Without the registry's rule, only the spelling could tell, and it differs.
    (alone,) = collect_status(str(template), [Member("inst", "inst", instance)]).instances
    assert alone.status == "broken: made from another template"


def test_a_recorded_commit_past_the_latest_version_is_not_behind(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    build_tree(template, {"app/extra.py": "x = 1\n"})
    commit_all(template, "Unreleased work", "2023-09-01T00:00:00+00:00")
    instance = copied(template, tmp_path / "inst", "HEAD", "next")
    assert "_commit: 2.1.0-1-g" in (instance / ".copier-answers.yml").read_text()
    found = collect_status(str(template), [Member("next", "inst", instance)], jobs=1)
    (next_,) = found.instances
    assert (next_.state, next_.commits_behind, next_.versions_behind) == (State.UP_TO_DATE, 0, 0)
    assert next_.last_updated is None  # not in a git repository


def test_commits_behind_across_merges_match_git_rev_list(tmp_path: Path) -> None:
    """With merges, what a commit lacks is counted over the graph, as git counts it."""
    repo = new_repo(tmp_path / "tpl")
    build_tree(repo, {"a.txt": "0\n"})
    commit_all(repo, "root", "2023-01-01T00:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "side")
    for n in range(2):
        build_tree(repo, {"side.txt": f"{n}\n"})
        commit_all(repo, f"side {n}", f"2023-01-0{n + 2}T00:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    for n in range(3):
        build_tree(repo, {"a.txt": f"main {n}\n"})
        commit_all(repo, f"main {n}", f"2023-02-0{n + 1}T00:00:00+00:00")
    git(
        repo, "merge", "-q", "--no-ff", "-m", "merge side", "side", date="2023-03-01T00:00:00+00:00"
    )
    build_tree(repo, {"a.txt": "after\n"})
    commit_all(repo, "after the merge", "2023-03-02T00:00:00+00:00")
    git(repo, "tag", "1.0.0")
    source = resolve_source(str(repo))
    assert isinstance(source, GitSource)
    history = TemplateHistory(source, source.resolve())
    assert not history.linear
    for sha in git(repo, "rev-list", "--all").split():
        expected = int(git(repo, "rev-list", "--count", f"{sha}..1.0.0"))
        assert len(history.missing(sha)) == expected, git(repo, "log", "-1", "--format=%s", sha)
    merge = git(repo, "rev-parse", "1.0.0~1")
    (change,) = history.changes([merge])
    assert (change.subject, change.paths) == ("after the merge", ("a.txt",))
    assert history.changes([git(repo, "rev-parse", "side")])[1].paths == ()  # the merge


def test_last_change_is_the_newest_commit_that_changed_the_file(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    build_tree(repo, {"sub/answers.yml": "a\n", "other.txt": "1\n"})
    commit_all(repo, "first", "2024-01-01T00:00:00+00:00")
    build_tree(repo, {"sub/answers.yml": "b\n"})
    commit_all(repo, "change it", "2024-02-01T00:00:00+05:30")
    build_tree(repo, {"other.txt": "2\n"})
    commit_all(repo, "something else", "2024-03-01T00:00:00+00:00")
    found = last_change(pygit2.Repository(str(repo)), "sub/answers.yml")
    assert found is not None and found.isoformat() == "2024-02-01T00:00:00+05:30"
    assert last_change(pygit2.Repository(str(repo)), "missing.yml") is None
    assert last_change(pygit2.Repository(str(new_repo(tmp_path / "empty"))), "x") is None


def test_an_untracked_instance_folder_in_a_repository_is_dirty(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    mono = new_repo(tmp_path / "mono")
    build_tree(mono, {"README.md": "mono\n"})
    commit_all(mono, "first", "2024-01-01T00:00:00+00:00")
    instance = copied(template, mono / "services" / "new", "2.1.0", "new")
    found = collect_status(str(template), [Member("new", "services/new", instance)], jobs=1)
    assert found.instances[0].state is State.DIRTY
