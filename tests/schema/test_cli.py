"""``templsync schema`` on the command line: help, status, and the start-up of every other
command staying free of Pydantic, pydantic-settings, the ORMs and watchfiles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from templsync.cli.main import main

from .helpers import configure, edit, make_project

OUTPUT = "api/schemas_generated.py"
HEAVY = ("pydantic", "pydantic_settings", "tortoise", "sqlalchemy", "sqlmodel", "watchfiles")


@pytest.mark.parametrize(
    "command",
    [
        ["schema"],
        ["schema", "sync"],
        ["schema", "status"],
        ["schema", "backup"],
        ["schema", "backup", "list"],
        ["schema", "backup", "restore"],
        ["schema", "backup", "delete"],
    ],
)
def test_every_schema_help_has_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    assert "Example" in capsys.readouterr().out


def test_start_up_loads_none_of_the_schema_dependencies() -> None:
    code = (
        "import sys\n"
        "from templsync.cli.main import main\n"
        "main(['schema', '--help'])\n"
        "import templsync\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_status_reports_sources_files_backups_and_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = configure(
        make_project(tmp_path / "shop", "shop_tortoise"),
        ["shop_tortoise.models"],
        output=OUTPUT,
        manual="api/schemas.py",
    )
    assert main(["schema", "status", "-C", str(shop), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["lastSync"] is None and not before["inSync"]
    assert before["generated"] == {
        "path": OUTPUT,
        "exists": False,
        "hand_edited": False,
        "conflict_markers": False,
    }
    assert main(["schema", "sync", "-C", str(shop)]) == 0
    edit(shop / OUTPUT, "\n__all__", "\n# mine\n__all__")
    edit(shop / "shop_tortoise/models.py", "max_length=80, unique", "max_length=81, unique")
    capsys.readouterr()
    assert main(["schema", "status", "-C", str(shop), "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["lastSync"] and not after["inSync"]
    assert after["changedSources"] == ["shop_tortoise/models.py"]
    assert after["generated"]["hand_edited"] and after["manual"]["exists"] is False
    assert after["settings"]["output"] == OUTPUT and after["settings"]["watching"] is True
    assert main(["schema", "sync", "-C", str(shop)]) == 0
    capsys.readouterr()
    assert main(["schema", "status", "-C", str(shop)]) == 0
    shown = capsys.readouterr().out
    assert "(in sync)" in shown and "backups:        1" in shown and "hand edited" in shown


@pytest.mark.parametrize("command", [["schema", "sync"], ["schema", "status"], ["schema", "watch"]])
def test_a_folder_that_does_not_exist_is_named(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent"
    assert main([*command, "-C", str(absent)]) == 1
    assert f"Directory '{absent}' does not exist" in capsys.readouterr().err
