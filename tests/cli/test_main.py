from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from templsync import __version__
from templsync.cli.handler import EXIT_BUG, EXIT_CONFLICTS, EXIT_INTERRUPTED, handle
from templsync.cli.main import COMMANDS, main
from templsync.errors import ConflictsLeft, UserError
from testing.modules import modules_loaded_by


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"templsync {__version__}"


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "templsync", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"templsync {__version__}"


@pytest.mark.parametrize("command", [[], ["demo"], ["recover"]])
def test_every_help_has_an_example(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    assert "Example" in capsys.readouterr().out


def test_unknown_option_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-such-flag"]) == 1
    assert "--no-such-flag" in capsys.readouterr().err


def test_user_error_exits_1_with_its_message(capsys: pytest.CaptureFixture[str]) -> None:
    def fail() -> int:
        raise UserError("the answers file is missing; run `templsync copy` first")

    assert handle(fail) == 1
    assert "the answers file is missing" in capsys.readouterr().err


def test_conflicts_exit_2_and_list_the_files(capsys: pytest.CaptureFixture[str]) -> None:
    def conflicted() -> int:
        raise ConflictsLeft(["pyproject.toml", "src/app.py"])

    assert handle(conflicted) == EXIT_CONFLICTS
    err = capsys.readouterr().err
    assert "pyproject.toml" in err
    assert "src/app.py" in err


def test_ctrl_c_exits_130() -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    assert handle(interrupted) == EXIT_INTERRUPTED


def test_a_bug_prints_one_line_and_writes_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPLSYNC_CACHE_DIR", str(tmp_path / "cache"))

    def buggy() -> int:
        return {"a": 1}["b"]

    assert handle(buggy) == EXIT_BUG
    err = capsys.readouterr().err
    assert "unexpected error: KeyError" in err
    logs = list((tmp_path / "cache" / "logs").glob("crash-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in err.replace("\n", "")
    assert "Traceback" in logs[0].read_text()
    assert "in buggy" in logs[0].read_text()


def loaded(modules: set[str], *names: str) -> set[str]:
    return {m for m in modules if m.startswith(names)}


def test_help_loads_no_engine_and_no_output_library() -> None:
    modules = modules_loaded_by(["--help"])
    heavy = ("templsync._core", "templsync._io", "templsync.instance", "templsync.template")
    assert not loaded(modules, *heavy, "jinja2", "pygit2")
    assert not loaded(modules, "yaml", "rich", "questionary", "pydantic", "typer")


def test_the_demo_and_recover_read_no_git_repository_so_load_no_pygit2(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "demo"
    for argv in (["demo", str(example), "--json"], ["recover", str(tmp_path)]):
        modules = modules_loaded_by(argv)
        assert not loaded(modules, "pygit2", "jinja2", "templsync.instance", "templsync.template")


def test_a_quiet_copy_loads_neither_rich_nor_questionary(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    template.mkdir()
    (template / "copier.yml").write_text("name:\n  type: str\n  default: demo\n")
    (template / "README.md.jinja").write_text("{{ name }}\n")
    modules = modules_loaded_by(["copy", str(template), str(tmp_path / "out"), "-l", "-q"])
    assert (tmp_path / "out" / "README.md").read_text() == "demo\n"
    assert not loaded(modules, "rich", "questionary", "prompt_toolkit", "templsync.cli.render")


def test_a_command_loads_its_own_module_and_no_other_command_module(tmp_path: Path) -> None:
    modules = modules_loaded_by(["recover", str(tmp_path), "-q"])
    assert {f"templsync.cli.{name}" for name in COMMANDS} & modules == {"templsync.cli.recover"}
    modules = modules_loaded_by(["fleet", "status", "--help"])
    assert loaded(modules, "templsync.cli.fleet") == {
        "templsync.cli.fleet",
        "templsync.cli.fleet_status",
    }


def test_help_lists_every_command_with_its_short_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "templsync", "--help"], capture_output=True, text=True, check=True
    )
    listed = done.stdout.split("Commands:")[1].splitlines()
    rows = {m[1]: m[2] for line in listed if (m := re.match(r"  (\S+) +(.+)", line))}
    assert sorted(rows) == sorted(COMMANDS)
    assert rows["sync"].startswith("Keep the folder LOCAL and REMOTE")


@pytest.mark.parametrize(
    ("argv", "suggestion"), [(["snyc"], "'sync'"), (["fleet", "stauts"], "'status'")]
)
def test_an_unknown_command_suggests_the_closest_of_all_commands(
    argv: list[str], suggestion: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "templsync", *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert f"No such command {argv[-1]!r}. Did you mean {suggestion}?" in done.stderr
