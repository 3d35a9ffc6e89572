"""One spelling per idea across the commands: ``--dry-run``/``-n`` wherever a command writes
(``--pretend`` too where Copier has it), ``-q``/``--quiet`` wherever it prints,
``-t``/``--template`` for a template folder; a dry run never says it runs a task; a cookiecutter
template is named; tables and listings read by a program are whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from fleet.fleet_helpers import make_instance, make_template
from instance.helpers import ANSWERS_JINJA, git, snapshot, tagged_repo
from templsync.cli.main import app, main
from testing.trees import build_tree


def subcommand(group: click.Group, name: str) -> click.Command:
    """The command ``name`` of ``group`` as ``templsync ... name`` finds it (loading its module)."""
    found = group.get_command(click.Context(group), name)
    assert found is not None, name
    return found


def commands(group: click.Group = app, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name in group.list_commands(click.Context(group)):
        command = subcommand(group, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def options(path: tuple[str, ...]) -> set[str]:
    command: click.Command = app
    for name in path:
        assert isinstance(command, click.Group)
        command = subcommand(command, name)
    return {o for p in command.params if isinstance(p, click.Option) for o in p.opts}


WRITING = {
    ("copy",),
    ("update",),
    ("recopy",),
    ("demo",),
    ("recover",),
    ("fleet", "discover"),
    ("fleet", "add"),
    ("fleet", "remove"),
    ("fleet", "update"),
    ("migrate", "generate"),
    ("migrate", "init"),
    ("migrate", "apply"),
    ("verify",),
    ("templatize",),
    ("backport",),
    ("schema", "sync"),
    ("schema", "watch"),
    ("schema", "backup", "restore"),
    ("schema", "backup", "delete"),
    ("sync",),
    ("storage", "templates"),
    ("storage", "settings"),
    ("storage", "cache"),
}
PRETEND = {("copy",), ("update",), ("recopy",), ("fleet", "discover")}
"""Copier's commands, and the one that said ``--pretend`` before."""
TEMPLATE_FOLDER = {("migrate", n) for n in ("generate", "init", "apply", "status")}


def test_the_command_list_is_known() -> None:
    """A new command lands in one of the lists below (or this test says so)."""
    read_only = {
        ("check",),
        ("diff",),
        ("fleet", "status"),
        ("fleet", "patterns"),
        ("migrate", "status"),
    }
    read_only |= {("schema", "status"), ("schema", "validate"), ("schema", "backup", "list")}
    assert set(commands()) == WRITING | read_only


@pytest.mark.parametrize("path", sorted(WRITING), ids=" ".join)
def test_every_command_that_writes_has_dry_run(path: tuple[str, ...]) -> None:
    found = options(path)
    assert {"--dry-run", "-n"} <= found
    assert ("--pretend" in found) == (path in PRETEND)


@pytest.mark.parametrize("path", sorted(commands()), ids=" ".join)
def test_every_command_has_quiet(path: tuple[str, ...]) -> None:
    assert {"--quiet", "-q"} <= options(path)


@pytest.mark.parametrize("path", sorted(TEMPLATE_FOLDER), ids=" ".join)
def test_a_template_folder_is_dash_t(path: tuple[str, ...]) -> None:
    assert {"--template", "-t"} <= options(path)


@pytest.mark.parametrize("path", sorted(commands()), ids=" ".join)
def test_every_help_has_an_example_using_its_flags(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    examples = out.split("Example:")[1].split("Options:")[0]
    assert f"templsync {' '.join(path)}" in examples
    assert "--pretend" not in examples  # examples use the one spelling


# --- dry runs write nothing -----------------------------------------------------------------


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    template = make_template(tmp_path / "tpl")
    make_instance(tmp_path / "services" / "billing", "../../tpl")
    make_instance(tmp_path / "services" / "ledger", "../../tpl")
    monkeypatch.chdir(template)
    assert main(["fleet", "add", "../services/billing", "-q"]) == 0
    return template


def test_fleet_add_and_remove_dry_run(fleet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry = fleet / "templsync-fleet.toml"
    before = registry.read_bytes()
    assert main(["fleet", "add", "../services/ledger", "--dry-run"]) == 0
    assert "would add ledger" in capsys.readouterr().out
    assert main(["fleet", "remove", "billing", "-n"]) == 0
    assert "would remove billing" in capsys.readouterr().out
    assert registry.read_bytes() == before
    assert main(["fleet", "add", "../services/ledger", "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert "ledger" in registry.read_text()


def test_migrate_generate_and_init_dry_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(tmp_path / "reference", {"app.py": "print('hi')\n"})
    assert main(["migrate", "generate", "first", "-t", str(template), "--dry-run"]) == 0
    assert "would write" in capsys.readouterr().out
    assert not (template / "migrations").exists()
    assert main(["migrate", "generate", "first", "-p", str(template), "-q"]) == 0  # older name
    assert capsys.readouterr().out == ""
    assert (template / "migrations").is_dir()
    target = tmp_path / "new"
    assert main(["migrate", "init", str(target), "-t", str(template), "--dry-run"]) == 0
    assert "would create" in capsys.readouterr().out
    assert not target.exists()


def test_recover_dry_run_leaves_the_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = build_tree(tmp_path / "project", {"a.txt": "a\n"})
    (folder / ".templsync-journal").mkdir()
    assert main(["recover", str(folder), "--dry-run"]) == 0
    assert "would be rolled back; nothing was done" in capsys.readouterr().out
    assert (folder / ".templsync-journal").is_dir()
    assert main(["recover", str(folder), "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert not (folder / ".templsync-journal").exists()


TASKS = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: demo\n_tasks:\n  - touch ran.txt\n",
    "README.md.jinja": "# {{ name }}\n",
}


@pytest.mark.parametrize("flag", ["--dry-run", "--pretend", "-n"])
def test_a_dry_run_never_says_it_runs_a_task(
    tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(tmp_path / "template", TASKS)
    dst = tmp_path / "dst"
    assert main(["copy", str(template), str(dst), "--defaults", "--trust", flag]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "Running task" not in err
    assert "Would run task 1 of 1: touch ran.txt" in err
    assert not dst.exists()
    assert main(["copy", str(template), str(dst), "--defaults", "--trust"]) == 0
    assert "Running task 1 of 1: touch ran.txt" in " ".join(capsys.readouterr().err.split())
    assert (dst / "ran.txt").exists()


def test_a_cookiecutter_template_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(
        tmp_path / "cookie",
        {
            "cookiecutter.json": '{"project_slug": "demo"}\n',
            "{{cookiecutter.project_slug}}/README.md": "# {{ cookiecutter.project_slug }}\n",
        },
    )
    dst = tmp_path / "dst"
    assert main(["copy", str(template), str(dst), "--defaults"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "cookiecutter templates are not supported by templsync" in err
    assert "(it reads Copier templates: copier.yml)" in err
    assert "'{{cookiecutter.project_slug}}/README.md'" in err
    assert "undefined" not in err
    assert not dst.exists()


# --- tables and listings read by a program ---------------------------------------------------


def test_fleet_status_keeps_its_columns_when_piped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = make_template(tmp_path / "tpl")
    monkeypatch.chdir(template)
    names = [f"a-service-with-a-long-name-{n}" for n in range(3)]
    for name in names:
        folder = tmp_path / "services" / "deeply" / "nested" / "folders" / name
        make_instance(folder, os.path.relpath(template, folder))
    assert main(["fleet", "discover", str(tmp_path / "services"), "-q"]) == 0
    done = subprocess.run(
        [sys.executable, "-m", "templsync", "fleet", "status", "--fleet", str(template)],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "COLUMNS"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if "Project" in line)
    assert "Commits behind" in header and "Versions behind" in header and "Status" in header
    for name in names:
        [row] = [line for line in lines if name in line]
        assert f"../services/deeply/nested/folders/{name}" in row
        assert "…" not in row


def test_recopy_dry_run_tells_template_changes_from_local_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = {
        **ANSWERS_JINJA,
        "copier.yml": "name:\n  type: str\n  default: demo\n",
        "README.md.jinja": "# {{ name }}\n",
        "ci.yml": "steps: [test]\n",
        "setup.cfg": "[tool]\n",
    }
    template = tagged_repo(
        tmp_path / "template",
        {"1.0.0": v1, "2.0.0": {"ci.yml": "steps: [lint, test]\n", "setup.cfg": "[tool]\nx=1\n"}},
    )
    dst = tmp_path / "project"
    assert main(["copy", str(template), str(dst), "-r", "1.0.0", "--defaults", "-q"]) == 0
    (dst / "README.md").write_text("# demo, our words\n")  # the project's own change
    (dst / "setup.cfg").write_text("[tool]\nours=1\n")  # changed by both
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made")
    before = snapshot(dst)
    assert main(["recopy", str(dst), "--defaults", "--dry-run"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "update ci.yml (the template changed)" in out
    assert "discard README.md (the project's own change)" in out
    assert "discard setup.cfg (the project's own change)" in out
    assert "1 changed by the template, 2 file(s) with local changes to discard" in out
    assert snapshot(dst) == before
    assert main(["recopy", str(dst), "--defaults", "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["template_changes"] == ["ci.yml"]
    assert sorted(data["local_changes"]) == ["README.md", "setup.cfg"]
