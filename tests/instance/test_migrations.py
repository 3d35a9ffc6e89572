"""``_migrations`` against Copier: the same migrations chosen, rendered and run the same way."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import InvalidVersion, Version

from instance.helpers import ANSWERS_JINJA, copier_copy, git, tagged_repo
from instance.migrations_oracle import (
    RECORDER,
    config_text,
    copier_tasks,
    log_to,
    normal,
    read_log,
    settings_of,
    version,
)
from templsync._io.sources import resolve_source
from templsync.instance.migrations import (
    migrate,
    migration_commands,
    migration_tasks,
    run_migrations,
)
from templsync.instance.session import Session, SessionOptions, open_session
from templsync.instance.tasks import Command, TaskError
from templsync.template.yamlload import TemplateConfigError
from testing.trees import build_tree

# The legacy form is Copier's DeprecationWarning on every use (tested once, at the end).
pytestmark = pytest.mark.filterwarnings(
    "ignore:This migration configuration is deprecated:DeprecationWarning"
)

STAGES: tuple[Literal["before", "after"], ...] = ("before", "after")

MIGRATIONS: dict[str, Any] = {
    "_migrations": [
        {"version": "v1.1.0a1", "command": "pre-release", "when": "true"},
        {"command": ["unversioned", "{{ _version_current }}"], "working_directory": "sub/"},
        {"version": "v1.1.0", "command": "one-one"},
        {"version": "2.0", "command": "two", "when": "{{ _stage == 'before' }}"},
        {"version": "v2.0.0", "before": ["legacy 1", ["legacy", "2"]], "after": ["legacy 3"]},
        "bare command",
        {"version": "v3.0.0", "command": "three"},
    ]
}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("v1.0.0", "v2.0.0"),
        ("v1.0.0", "v1.0.0"),
        ("v1.1.0a1", "v1.1.0"),
        ("v1.0.0", "v1.1.0a1"),
        ("v1.1.0", "v2.0.0-3-gabc1234"),
        ("v2.0.0", "v1.0.0"),
        ("abc1234", "v2.0.0"),
        ("v1.0.0", "main"),
    ],
)
def test_the_migrations_chosen_for_a_range_are_copiers(old: str, new: str) -> None:
    ours = settings_of(MIGRATIONS)
    for stage in STAGES:
        chosen = migration_tasks(ours, stage, version(old), version(new))
        assert normal(chosen) == copier_tasks(MIGRATIONS, stage, version(old), version(new))


def test_a_version_applies_above_the_old_version_up_to_the_new_one() -> None:
    chosen = migration_tasks(settings_of(MIGRATIONS), "after", version("v1.0.0"), version("v2.0.0"))
    commands = [t.command for t in chosen]
    assert commands == [
        "pre-release",
        ("unversioned", "{{ _version_current }}"),
        "one-one",
        "two",
        "legacy 3",
        "bare command",
    ]
    # the last version that applied stays on the entries after it, as in Copier
    assert [t.variables.get("version_current") for t in chosen] == [
        "v1.1.0a1",
        "v1.1.0a1",
        "v1.1.0",
        "2.0",
        "v2.0.0",
        "v2.0.0",
    ]
    same = migration_tasks(settings_of(MIGRATIONS), "after", version("v1.0.0"), version("v1.0.0"))
    assert [t.command for t in same] == [("unversioned", "{{ _version_current }}"), "bare command"]
    unversioned = migration_tasks(
        settings_of(MIGRATIONS), "after", version("abc1234"), version("v2")
    )
    assert unversioned == ()


VERSIONS = ["0.9", "v1.0.0", "1.0", "1.1.0a1", "v1.1.0rc2", "1.1.0", "1.1.0.post1", "2.0.0.dev1"]
RECORDED = [*VERSIONS, "2.0.0", "v1.1.0-2-gabc1234", "main"]


@st.composite
def migration_entries(draw: st.DrawFn) -> object:
    n = draw(st.integers(0, 99))
    kind = draw(st.sampled_from(["versioned", "unversioned", "bare", "list", "legacy"]))
    if kind == "bare":
        return f"run {n}"
    if kind == "list":
        return ["run", str(n)]
    if kind == "legacy":
        entry: dict[str, object] = {"version": draw(st.sampled_from(VERSIONS))}
        for stage in draw(st.sets(st.sampled_from(STAGES), min_size=1)):
            entry[stage] = [f"{stage} {n}", [stage, str(n), "x"]]
        return entry
    entry = {"command": f"run {n}"}
    if kind == "versioned":
        entry["version"] = draw(st.sampled_from(VERSIONS))
    when = draw(st.sampled_from([None, "true", False, "{{ _stage == 'before' }}"]))
    if when is not None:
        entry["when"] = when
    if draw(st.booleans()):
        entry["working_directory"] = "{{ 'sub' }}/deeper/"
    return entry


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(migration_entries(), max_size=6),
    old=st.sampled_from(RECORDED),
    new=st.sampled_from(RECORDED),
)
def test_any_migrations_and_range_choose_what_copier_chooses(
    entries: list[object], old: str, new: str
) -> None:
    config = {"_migrations": entries}
    ours = settings_of(config)
    for stage in STAGES:
        chosen = migration_tasks(ours, stage, version(old), version(new))
        assert normal(chosen) == copier_tasks(config, stage, version(old), version(new))


def test_a_bad_version_is_a_config_error_where_copier_crashes() -> None:
    bad = {"_migrations": [{"command": "ok"}, {"version": "not a version", "command": "x"}]}
    with pytest.raises(TemplateConfigError, match=r"entry 2: version 'not a version'"):
        migration_tasks(settings_of(bad), "after", version("v1"), version("v2"))
    with pytest.raises(InvalidVersion):
        copier_tasks(bad, "after", version("v1"), version("v2"))
    legacy = {"_migrations": [{"before": ["x"]}]}
    with pytest.raises(TemplateConfigError, match=r"entry 1 has `before`/`after`.*no `version`"):
        migration_tasks(settings_of(legacy), "before", version("v1"), version("v2"))
    with pytest.raises(KeyError):
        copier_tasks(legacy, "before", version("v1"), version("v2"))


def folder_session(tmp_path: Path, config: str, data: dict[str, object]) -> Session:
    template = build_tree(tmp_path / "tpl", {"copier.yml": config})
    source = resolve_source(str(template))
    options = SessionOptions(trust=True, defaults=True, data=data)
    session = open_session(source, source.resolve(), tmp_path / "dst", options, operation="update")
    session.answer()
    return session


def test_the_default_condition_uses_the_templates_delimiters(tmp_path: Path) -> None:
    config = {
        "_envops": {"variable_start_string": "[[", "variable_end_string": "]]"},
        "_migrations": ["echo [[ _stage ]] [[ _version_to ]] [[ name ]]"],
        "name": "bob",
    }
    old, new = version("v1"), version("v2.0.0-1-gabc1234")
    for stage in STAGES:
        chosen = migration_tasks(settings_of(config), stage, old, new)
        assert normal(chosen) == copier_tasks(config, stage, old, new)
    session = folder_session(tmp_path, config_text(config), {"name": "alice"})
    assert migration_commands(session, "before", old, new) == ()
    (after,) = migration_commands(session, "after", old, new)
    assert after.args == "echo after v2.0.0-1-gabc1234 alice"
    assert after.cwd == (tmp_path / "dst").absolute()
    assert (after.index, after.total) == (1, 1)
    assert after.env == {
        "STAGE": "after",
        "VERSION_FROM": "v1",
        "VERSION_TO": "v2.0.0-1-gabc1234",
        "VERSION_PEP440_FROM": "1",
        "VERSION_PEP440_TO": "2.0.0.post1.dev0+abc1234",
        "COPIER_OPERATION": "update",
    }


# --- a real update, by Copier and by us ---------------------------------------------------------

ARGS = (
    "{{ _stage }} '{{ name }}' '{{ _copier_answers | tojson }}' {{ _copier_phase }} "
    "{{ _version_pep440_to.is_prerelease }} {{ _folder_name }} {{ _copier_operation }} "
    "'{{ _src_path | default(\"no src\") }}' '{{ _version_current | default(\"none\") }}'"
)


def new_config(recorder: Path) -> dict[str, Any]:
    run = f"{sys.executable} {recorder}"
    return {
        "name": {"default": "bob"},
        "_migrations": [
            {"version": "v1.5.0a1", "command": f"{run} pre {ARGS}", "when": "true"},
            {
                "command": [sys.executable, str(recorder), "unversioned", "{{ _stage }}"],
                "when": "{{ true }}",
                "working_directory": "{{ 'sub' }}/",
            },
            {"version": "v2.0.0", "command": f"{run} two {ARGS}"},
            {"version": "v1.0.0", "command": f"{run} same-as-old"},
            {"version": "v3.0.0", "command": f"{run} future"},
            {
                "version": "v2.0.0",
                "before": [f"{run} legacy {ARGS}"],
                "after": [[sys.executable, str(recorder), "legacy", "{{ _version_current }}"]],
            },
            f"{run} bare {ARGS}",
            {"command": f"{run} answered {{{{ name }}}}", "when": "{{ name == 'alice' }}"},
        ],
    }


def test_commands_environment_and_folders_are_those_of_copiers_update(tmp_path: Path) -> None:
    import copier

    recorder = build_tree(tmp_path / "tools", {"recorder.py": RECORDER}) / "recorder.py"
    template = tagged_repo(
        tmp_path / "tpl",
        {
            "v1.0.0": {
                **ANSWERS_JINJA,
                "copier.yml": "name:\n  default: bob\n",
                "sub/keep.txt": "x\n",
            },
            "v1.5.0a1": {"notes.txt": "pre-release\n"},
            "v2.0.0": {"copier.yml": config_text(new_config(recorder))},
        },
    )
    build_tree(template, {"later.txt": "past the last tag\n"})
    git(template, "add", "-A")
    git(template, "commit", "-qm", "past v2.0.0")
    project = tmp_path / "project"
    copier_copy(str(template), project, vcs_ref="v1.0.0")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "made with v1.0.0")

    copier_log = log_to(recorder, tmp_path / "copier.jsonl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(
            str(project),
            data={"name": "alice"},
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
            vcs_ref="HEAD",
        )
    theirs = read_log(copier_log)

    our_log = log_to(recorder, tmp_path / "ours.jsonl")
    source = resolve_source(str(template))
    old, new = source.resolve("v1.0.0", prereleases=True), source.resolve("HEAD")
    options = SessionOptions(trust=True, defaults=True, data={"name": "alice"})
    session = open_session(source, new, project, options, operation="update")
    session.answer(previous={"name": "bob"})
    seen: list[Command] = []
    before = migrate(session, "before", old, new, False, on_task=seen.append)
    after = migrate(session, "after", old, new, False, on_task=seen.append)

    assert read_log(our_log) == theirs
    assert [r["args"][0] for r in theirs] == [
        *("pre", "unversioned", "legacy"),
        *("pre", "unversioned", "two", "legacy", "bare", "answered"),
    ]
    assert [(c.index, c.total) for c in before] == [(1, 6), (2, 6), (4, 6)]
    assert [(c.index, c.total) for c in after] == [(i, 6) for i in range(1, 7)]
    assert seen == [*before, *after]
    assert before[1].cwd == (project / "sub").absolute()
    assert before[1].args == (sys.executable, str(recorder), "unversioned", "before")
    # before updating, Copier renders with no answers yet: `name` is empty
    assert theirs[0]["args"][1:3] == ["before", ""]
    assert theirs[3]["args"][1:3] == ["after", "alice"]
    assert theirs[-1]["args"] == ["answered", "alice"]
    assert theirs[0]["env"]["VERSION_TO"] == new.recorded != "v2.0.0"


# --- running ------------------------------------------------------------------------------------


def command(args: str, cwd: Path, stage: str, index: int, total: int = 3) -> Command:
    return Command(args, cwd, {"STAGE": stage}, index, total)


def test_a_failing_migration_stops_the_update_naming_it(tmp_path: Path) -> None:
    commands = (
        command("touch first", tmp_path, "before", 1),
        command("exit 3", tmp_path, "before", 2),
        command("touch third", tmp_path, "before", 3),
    )
    with pytest.raises(
        TaskError,
        match=r"migration 2 of 3 \(exit 3\) failed with exit code 3\. The update stopped before",
    ):
        run_migrations(commands, pretend=False)
    assert (tmp_path / "first").exists()
    assert not (tmp_path / "third").exists()
    late = (command("exit 4", tmp_path, "after", 1, 1),)
    with pytest.raises(TaskError, match=r"exit code 4\. The update's files were written"):
        run_migrations(late, pretend=False)


def test_a_migration_that_cannot_start_names_it_and_the_setting(tmp_path: Path) -> None:
    missing = Command(("./no-such-program",), tmp_path, {"STAGE": "after"}, 1, 1)
    with pytest.raises(TaskError, match=r"migration 1 of 1 .* could not start: .*`_migrations`"):
        run_migrations((missing,), pretend=False)


def test_pretend_lists_the_migrations_and_runs_none(tmp_path: Path) -> None:
    commands = (command("touch one", tmp_path, "after", 1), command("exit 1", tmp_path, "after", 2))
    seen: list[Command] = []
    run_migrations(commands, pretend=True, on_task=seen.append)
    assert seen == list(commands)
    assert not (tmp_path / "one").exists()


def test_an_untrusted_update_is_refused_for_all_its_unsafe_settings_at_once(
    tmp_path: Path,
) -> None:
    """Copier's test_unsafe.py::test_update: `_migrations` due for the update are named with
    `_tasks` in one refusal."""
    import copier.errors

    from templsync.errors import UnsafeTemplateError
    from templsync.instance.update import UpdateOptions, update

    template = tagged_repo(
        tmp_path / "tpl",
        {
            "v1": {**ANSWERS_JINJA, "copier.yml": "name:\n  default: bob\n"},
            "v2": {
                "copier.yml": "name:\n  default: bob\n_tasks: [touch task]\n"
                "_migrations: [{version: v2, command: touch migrated}]\n"
            },
        },
    )
    project = tmp_path / "project"
    copier_copy(str(template), project, vcs_ref="v1")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "made with v1")
    with pytest.raises(copier.errors.UnsafeTemplateError, match="features: migrations, tasks"):
        copier.run_update(str(project), defaults=True, overwrite=True, quiet=True)

    with pytest.raises(UnsafeTemplateError) as info:
        update(project, UpdateOptions(defaults=True))

    assert info.value.features == ("migrations", "tasks")
    assert str(info.value).startswith(
        "Template uses potentially unsafe features: migrations, tasks."
    )
    assert not (project / "migrated").exists()
    assert not git(project, "status", "--porcelain")


def test_a_legacy_migration_is_copiers_deprecation_warning() -> None:
    legacy = {"_migrations": [{"version": "v2", "before": ["x"]}]}
    with pytest.warns(DeprecationWarning, match="This migration configuration is deprecated"):
        migration_tasks(settings_of(legacy), "before", version("v1"), version("v2"))
    from copier._template import Template

    template = Template(url="/nonexistent/new")
    template.__dict__.update(_raw_config=legacy, version=Version("2"), commit="v2")
    previous = Template(url="/nonexistent/old")
    previous.__dict__.update(version=Version("1"), commit="v1")
    with pytest.warns(DeprecationWarning, match="This migration configuration is deprecated"):
        template.migration_tasks("before", previous)
