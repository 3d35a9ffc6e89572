"""Hostile input files end in a clear error naming the file (exit 1), never in a bug (exit 3), a
hang or a crash: data nested 100,000 levels deep, YAML aliases that multiply ("billion laughs"),
and ``!include`` cycles in ``copier.yml``. Each format is read by the command a person runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleet.fleet_helpers import make_instance, make_template
from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync._core.tree import Tree
from templsync._io.journal import Journal
from templsync._limits import MAX_ALIAS_NODES, MAX_DEPTH, MAX_INCLUDE_DEPTH
from templsync.cli.main import main
from testing.alarm import time_limit
from testing.interrupted import stop_before_commit
from testing.trees import build_tree

DEEP = "[" * 100_000
TOO_DEEP = f"is nested too deeply (more than {MAX_DEPTH} levels of lists and mappings"
TOO_BIG = f"expands its aliases into more than {MAX_ALIAS_NODES:,} nodes"


def laughs(levels: int = 6, width: int = 10) -> str:
    """Anchors ``a0`` .. ``a<levels>``, each a list of ``width`` aliases of the one before: the
    last stands for ``width ** (levels + 1)`` strings (10 million here)."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


PAYLOADS = {
    "deep": ("", DEEP, TOO_DEEP),
    "laughs": (laughs(), "*a6", TOO_BIG),
}
"""A YAML value, with the lines that must come before it, and the reason it is refused."""

TEMPLATE = {
    "copier.yml": "name:\n  type: str\n  default: demo\nconfig:\n  type: yaml\n  default: '{}'\n",
    **ANSWERS_JINJA,
    "README.md.jinja": "# {{ name }}\n",
}


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    with time_limit(120):
        yield


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], *expected: str) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1, (code, err)
    for text in expected:
        assert text in err, err
    return err


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return tagged_repo(tmp_path / "tpl", {"v1": TEMPLATE})


@pytest.fixture
def instance(template: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "project"
    assert main(["copy", str(template), str(dst), "--defaults", "-q", "-r", "v1"]) == 0
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made")
    return dst


# --- YAML: every file, nested too deeply and multiplied by aliases -----------------------------


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=list(PAYLOADS))
def test_copier_yml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: tuple[str, ...]
) -> None:
    before, value, reason = payload
    config = f"{before}name:\n  type: str\n  default: {value}\n"
    template = build_tree(tmp_path / "tpl", {**TEMPLATE, "copier.yml": config})
    refused(
        ["copy", str(template), str(tmp_path / "out"), "--defaults"], capsys, "copier.yml ", reason
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=list(PAYLOADS))
def test_answers_file(
    instance: Path, template: Path, capsys: pytest.CaptureFixture[str], payload: tuple[str, ...]
) -> None:
    before, value, reason = payload
    answers = instance / ".copier-answers.yml"
    answers.write_text(f"{before}_commit: v1\n_src_path: {template}\nname: {value}\n")
    git(instance, "commit", "-qam", "answers")
    refused(
        ["update", str(instance), "--defaults"],
        capsys,
        ".copier-answers.yml: the answers file ",
        reason,
    )


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=list(PAYLOADS))
def test_data_file(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: tuple[str, ...]
) -> None:
    before, value, reason = payload
    data = tmp_path / "data.yml"
    data.write_text(f"{before}config: {value}\n")
    argv = ["copy", str(template), str(tmp_path / "out"), "--defaults", "--data-file", str(data)]
    refused(argv, capsys, f"the --data-file {data} ", reason)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=list(PAYLOADS))
def test_copiers_settings_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    payload: tuple[str, ...],
) -> None:
    before, value, reason = payload
    template = build_tree(tmp_path / "tpl", {"copier.yml": "_tasks:\n  - 'touch ran'\n"})
    settings = tmp_path / "settings.yml"
    settings.write_text(f"{before}trust: {value}\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    refused(
        ["copy", str(template), str(tmp_path / "out")],
        capsys,
        f"{settings}: Copier's settings file ",
        reason,
    )


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=list(PAYLOADS))
def test_external_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: tuple[str, ...]
) -> None:
    before, value, reason = payload
    template = build_tree(
        tmp_path / "tpl",
        {
            "copier.yml": "_external_data:\n  shared: shared.yml\n",
            "x.txt.jinja": "{{ _external_data.shared.a }}\n",
        },
    )
    dst = build_tree(tmp_path / "out", {"shared.yml": f"{before}a: {value}\n"})
    refused(
        ["copy", str(template), str(dst), "--defaults"],
        capsys,
        f"{dst / 'shared.yml'}: the external data file",
        reason,
    )
    assert not (dst / "x.txt").exists()


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_an_answer_given_on_the_command_line(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    config = f"config:\n  type: {kind}\n  default: '{{}}'\n"
    template = build_tree(tmp_path / "t2", {**TEMPLATE, "copier.yml": config})
    argv = ["copy", str(template), str(tmp_path / "out"), "--defaults", "-d", f"config={DEEP}"]
    err = refused(argv, capsys, "question 'config': invalid answer '[[[", TOO_DEEP)
    assert len(err) < 1000  # the answer is shown cut short


def test_fleet_status_marks_an_instance_whose_answers_file_is_hostile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "template", remote=None)
    deep = make_instance(tmp_path / "deep", str(template))
    (deep / ".copier-answers.yml").write_text(f"_commit: v1.0.0\n_src_path: {DEEP}\n")
    bomb = make_instance(tmp_path / "bomb", str(template))
    (bomb / ".copier-answers.yml").write_text(f"{laughs()}_commit: v1.0.0\n_src_path: *a6\n")
    registry = tmp_path / "templsync-fleet.toml"
    registry.write_text(
        f'template = "{template}"\n\n[[instance]]\nname = "deep"\nlocation = "{deep}"\n\n'
        f'[[instance]]\nname = "bomb"\nlocation = "{bomb}"\n'
    )

    assert main(["fleet", "status", "--json", "--fleet", str(registry), "--offline"]) == 0

    found = {i["name"]: i for i in json.loads(capsys.readouterr().out)["instances"]}
    for name, reason in (("deep", TOO_DEEP), ("bomb", TOO_BIG)):
        assert found[name]["state"] == "broken", found[name]
        assert ".copier-answers.yml: the answers file " + reason in found[name]["detail"]


# --- copier.yml's !include ---------------------------------------------------------------------


def test_a_file_including_itself_is_a_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": "name: x\n---\n!include copier.yml\n"})
    refused(
        ["copy", str(template), str(tmp_path / "out"), "--defaults"],
        capsys,
        "copier.yml:3: !include makes a cycle (copier.yml -> copier.yml)",
    )


def test_two_files_including_each_other_are_a_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "copier.yml": "!include inc/a.yml\n",
        "inc/a.yml": "a: 1\n---\n!include inc/b.yml\n",
        "inc/b.yml": "b: 2\n---\n!include inc/a.yml\n",
    }
    template = build_tree(tmp_path / "tpl", files)
    refused(
        ["copy", str(template), str(tmp_path / "out"), "--defaults"],
        capsys,
        "inc/b.yml:3: !include makes a cycle (inc/a.yml -> inc/b.yml -> inc/a.yml)",
    )


def test_includes_nest_at_most_max_include_depth_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def chain(length: int) -> dict[str, str]:
        files = {"copier.yml": "!include inc/1.yml\n"}
        for n in range(1, length):
            files[f"inc/{n}.yml"] = f"q{n}: {n}\n---\n!include inc/{n + 1}.yml\n"
        files[f"inc/{length}.yml"] = f"q{length}: {length}\n"
        return files

    ok = build_tree(tmp_path / "ok", {**chain(MAX_INCLUDE_DEPTH), "x.txt.jinja": "{{ q10 }}\n"})
    assert main(["copy", str(ok), str(tmp_path / "out"), "--defaults", "-q"]) == 0
    assert (tmp_path / "out" / "x.txt").read_text() == f"{MAX_INCLUDE_DEPTH}\n"
    deep = build_tree(tmp_path / "deep", chain(MAX_INCLUDE_DEPTH + 1))
    refused(
        ["copy", str(deep), str(tmp_path / "out2"), "--defaults"],
        capsys,
        f"!include is nested more than {MAX_INCLUDE_DEPTH} files deep",
    )


def test_a_deep_file_reached_through_includes_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"copier.yml": "!include inc/q.yml\n", "inc/q.yml": f"name:\n  default: {DEEP}\n"}
    template = build_tree(tmp_path / "tpl", files)
    refused(
        ["copy", str(template), str(tmp_path / "out"), "--defaults"], capsys, "inc/q.yml ", TOO_DEEP
    )


# --- JSON and TOML -----------------------------------------------------------------------------


def migrated_project(tmp_path: Path) -> tuple[Path, Path]:
    template = build_tree(tmp_path / "tpl", {"README.md": "# one\n"})
    assert main(["migrate", "generate", "first", "-p", str(template)]) == 0
    project = tmp_path / "project"
    assert main(["migrate", "init", str(project), "-t", str(template), "--yes"]) == 0
    return template, project


def test_migration_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template, project = migrated_project(tmp_path)
    name = "2030-01-01T00-00-00_deep"
    build_tree(template / "migrations" / name, {"migration.json": DEEP})
    capsys.readouterr()
    where = f"migrations/{name}/migration.json: {TOO_DEEP}"
    refused(["migrate", "apply", str(project), "-t", str(template), "--strict"], capsys, where)
    assert (
        main(["migrate", "apply", str(project), "-t", str(template)]) == 0
    )  # skipped, as any malformed one
    assert f"warning: {where}" in capsys.readouterr().err


def test_applied_migrations_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template, project = migrated_project(tmp_path)
    record = project / "applied-migrations.json"
    record.write_text(DEEP)
    capsys.readouterr()
    refused(
        ["migrate", "status", str(project), "-t", str(template)], capsys, f"{record} {TOO_DEEP}"
    )


def test_fleet_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry = tmp_path / "templsync-fleet.toml"
    registry.write_text(f'template = "."\nextra = {DEEP}\n')
    refused(["fleet", "status", "--fleet", str(registry)], capsys, f"{registry} {TOO_DEEP}")
    registry.write_text(f'template = "."\nextra = {DEEP}\n[[[\n')  # and not valid TOML either
    refused(["fleet", "status", "--fleet", str(registry)], capsys, f"{registry} {TOO_DEEP}")


def test_the_writers_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stop_before_commit(tmp_path, {"a.txt": "old\n"}, Tree.from_texts({"a.txt": "new\n"}))
    record = Journal(tmp_path).path / "journal.json"
    record.write_text(DEEP)
    refused(
        ["recover", str(tmp_path)], capsys, f"the journal {str(record)!r} is damaged ({TOO_DEEP}"
    )
    assert record.read_text() == DEEP  # kept for a person to look at
