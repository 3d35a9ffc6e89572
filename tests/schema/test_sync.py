"""``schema sync``: the three-way merge that keeps hand edits, the no-change path, backups,
the state, the manual file check, and the refusals, on a real Tortoise project in tmp_path."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from templsync.schema.backups import list_backups, restore
from templsync.schema.manual import ManualFileError
from templsync.schema.model import SchemaError
from templsync.schema.project import find_project
from templsync.schema.state import BASE_FILE, STATE_FILE, read_state
from templsync.schema.sync import SyncOptions, UnrecordedOutputError, sync

from .helpers import configure, edit, import_text, make_project

OUTPUT = "api/schemas_generated.py"
MODELS = "shop_tortoise/models.py"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "shop", "shop_tortoise")
    return configure(root, ["shop_tortoise.models"], output=OUTPUT)


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2025, 1, 21, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def test_first_sync_writes_the_file_and_the_state(shop: Path) -> None:
    result = sync(shop)
    assert result.written and result.changed and not result.fast
    assert (result.models, result.schemas) == (4, 12)
    text = (shop / OUTPUT).read_text()
    assert (shop / BASE_FILE).read_text() == text
    state = read_state(find_project(shop))
    assert state is not None and state.output == OUTPUT and MODELS in state.sources
    assert "shop_tortoise/enums.py" in state.sources  # imported with the models
    assert result.backup is None  # there was no file to back up


def test_a_second_run_imports_nothing(shop: Path) -> None:
    sync(shop)
    assert sync(shop).fast
    full = sync(shop, SyncOptions(force=True, check=True))  # every model imported and read
    assert not full.fast and not full.changed  # the no-change path was right
    code = (
        "import sys\n"
        "from templsync.cli.main import main\n"
        f"code = main(['schema', 'sync', '-C', {str(shop)!r}, '--quiet'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'pydantic_settings', 'tortoise', 'sqlalchemy', 'shop_tortoise'))\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0 []"


def test_a_change_in_a_model_file_or_the_settings_regenerates(shop: Path) -> None:
    sync(shop)
    edit(shop / MODELS, "max_length=80, unique=True", "max_length=90, unique=True")
    result = sync(shop)
    assert not result.fast and result.changed
    assert "max_length=90" in (shop / OUTPUT).read_text()
    assert sync(shop).fast
    edit(shop / "shop_tortoise/enums.py", 'GREEN = "green"', 'GREEN = "green"\n    BLUE = "blue"')
    assert not sync(shop).fast  # an imported module changed: generated again (same text)
    assert sync(shop).fast
    configure(shop, ["shop_tortoise.models"], output=OUTPUT, max_backups=3)
    assert not sync(shop).fast


HAND_EDITS = {
    "validator": (
        '    """Product: the fields a client sends to create one (POST)."""\n',
        '    """Product: the fields a client sends to create one (POST)."""\n\n'
        '    @field_validator("name")\n'
        "    @classmethod\n"
        "    def no_shouting(cls, value: str) -> str:\n"
        "        if value.isupper():\n"
        '            raise ValueError("no shouting")\n'
        "        return value\n",
    ),
    "import": (
        "from pydantic import BaseModel, ConfigDict, Field, JsonValue\n",
        "from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator\n",
    ),
}
EXTRA_CLASS = '\n\nclass ProductSearch(BaseModel):\n    """Added by hand."""\n\n    query: str\n'


def test_hand_edits_are_kept_across_three_regenerations(shop: Path) -> None:
    sync(shop)
    output = shop / OUTPUT
    for old, new in HAND_EDITS.values():
        edit(output, old, new)
    output.write_text(output.read_text() + EXTRA_CLASS)
    model_changes = [
        (
            "    weight = fields.FloatField(null=True)\n",
            "    weight = fields.FloatField(null=True)\n"
            "    sku = fields.CharField(max_length=12)\n",
        ),
        ("max_length=80, unique=True", "max_length=90, unique=True"),
        (
            "    label = fields.CharField(max_length=80)\n",
            "    label = fields.CharField(max_length=80)\n\n\n"
            "class Shelf(Model):\n    id = fields.IntField(primary_key=True)\n"
            "    row = fields.SmallIntField()\n",
        ),
    ]
    for old, new in model_changes:
        edit(shop / MODELS, old, new)
        result = sync(shop)
        assert result.written and result.conflicts == 0
        text = output.read_text()
        for _, kept in HAND_EDITS.values():
            assert kept in text
        assert text.endswith(EXTRA_CLASS)
    text = output.read_text()
    assert "sku: str = Field(max_length=12)" in text and "max_length=90" in text
    assert "class ShelfResponse(BaseModel):" in text
    module: Any = import_text(shop, text, "api.schemas_generated")
    assert module.ProductSearch(query="x").query == "x"
    good = {"name": "Lamp", "price": "1", "category_id": 1, "sku": "A1"}
    assert module.ProductCreate(**good).sku == "A1"
    with pytest.raises(ValueError, match="no shouting"):
        module.ProductCreate(**{**good, "name": "LAMP"})
    assert len(list_backups(find_project(shop), ".templsync/schema/backups")) == 3


def test_a_hand_edit_that_meets_a_regenerated_line_is_a_conflict(shop: Path) -> None:
    sync(shop)
    output = shop / OUTPUT
    edit(
        output,
        'max_length=80, description="Shown in menus")',
        'max_length=70, description="Menus")',
    )
    edit(shop / MODELS, "max_length=80, unique=True", "max_length=90, unique=True")
    result = sync(shop)
    assert result.written and result.conflicts == 1  # CategoryCreate's name
    text = output.read_text()
    assert "<<<<<<< file on disk" in text and ">>>>>>> generated from the models" in text
    base = (shop / BASE_FILE).read_text()  # the base is the new generation, not the hand edit
    assert 'name: str = Field(max_length=90, description="Shown in menus")' in base
    assert "max_length=70" not in base
    resolved = "\n".join(
        line
        for line in text.splitlines()
        if not line.startswith(("<<<<<<<", "=======", ">>>>>>>")) and "max_length=70" not in line
    )
    output.write_text(resolved + "\n")
    again = sync(shop)
    assert again.fast and output.read_text() == resolved + "\n"


def test_the_cli_exits_2_on_conflicts(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from templsync.cli.main import main

    assert main(["schema", "sync", "-C", str(shop)]) == 0
    edit(shop / OUTPUT, 'max_length=80, description="Shown in menus")', "max_length=1)")
    edit(shop / MODELS, "max_length=80, unique=True", "max_length=90, unique=True")
    assert main(["schema", "sync", "-C", str(shop)]) == 2
    assert OUTPUT in capsys.readouterr().err


def test_check_and_dry_run_write_nothing(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from templsync.cli.main import main

    assert main(["schema", "sync", "-C", str(shop), "--check"]) == 1  # no file yet
    assert not (shop / OUTPUT).exists()
    assert main(["schema", "sync", "-C", str(shop)]) == 0
    assert main(["schema", "sync", "-C", str(shop), "--check"]) == 0
    edit(shop / MODELS, "max_length=80, unique=True", "max_length=90, unique=True")
    before = (shop / OUTPUT).read_text()
    state = (shop / STATE_FILE).read_text()
    capsys.readouterr()
    assert main(["schema", "sync", "-C", str(shop), "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["schema", "sync", "-C", str(shop), "--dry-run"]) == 0
    shown = capsys.readouterr().out
    assert "-    name: str = Field(max_length=80" in shown
    assert "+    name: str = Field(max_length=90" in shown
    assert (shop / OUTPUT).read_text() == before and (shop / STATE_FILE).read_text() == state
    assert main(["schema", "sync", "-C", str(shop), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["written"] and data["backup"].startswith("schema_backup_")


def test_backups_are_pruned_restored_and_deleted(shop: Path) -> None:
    configure(shop, ["shop_tortoise.models"], output=OUTPUT, max_backups=2)
    clock = Clock()
    sync(shop, now=clock)
    output = shop / OUTPUT
    versions = []
    for width in (81, 82, 83):
        versions.append(output.read_text())
        edit(shop / MODELS, f"max_length={width - 1}, unique", f"max_length={width}, unique")
        sync(shop, now=clock)
    project = find_project(shop)
    backups = list_backups(project, ".templsync/schema/backups")
    assert [b.name for b in backups] == [
        "schema_backup_20250121_120003",
        "schema_backup_20250121_120004",
    ]
    assert (shop / backups[0].folder / "output.py").read_text() == versions[1]
    edit(output, "\n__all__", "\n# a hand note\n__all__")
    done = restore(
        project,
        backups[0].name,
        backup_dir=".templsync/schema/backups",
        max_backups=2,
        output=OUTPUT,
        now=clock(),
    )
    assert output.read_text() == versions[1]
    saved = shop / f".templsync/schema/backups/{done.saved_as}/output.py"
    assert "# a hand note" in saved.read_text()
    assert (shop / BASE_FILE).read_text() == versions[1]  # the restored file had no hand edits
    again = sync(shop, now=clock)  # not the no-change path: a restore forgets the sources
    assert not again.fast and "max_length=83" in output.read_text()


def test_backup_commands(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from templsync.cli.main import main

    sync(shop)
    edit(shop / MODELS, "max_length=80, unique", "max_length=81, unique")
    sync(shop)
    capsys.readouterr()
    assert main(["schema", "backup", "list", "-C", str(shop), "--json"]) == 0
    [backup] = json.loads(capsys.readouterr().out)
    restore_args = ["schema", "backup", "restore", "-C", str(shop), "--name", backup["name"]]
    assert main([*restore_args, "--dry-run"]) == 0
    assert "would restore" in capsys.readouterr().out
    assert "max_length=81" in (shop / OUTPUT).read_text()
    assert (
        main(["schema", "backup", "delete", "-C", str(shop), "--name", backup["name"], "-n"]) == 0
    )
    assert (shop / backup["folder"]).is_dir()
    assert main(restore_args) == 0
    assert "max_length=80" in (shop / OUTPUT).read_text()
    assert main(["schema", "backup", "delete", "-C", str(shop), "--name", backup["name"]]) == 0
    assert not (shop / backup["folder"]).exists()
    assert main(["schema", "backup", "delete", "-C", str(shop), "--name", "nope"]) == 1
    assert "no backup is named 'nope'" in capsys.readouterr().err


def test_a_file_without_a_record_is_replaced_only_with_force(shop: Path) -> None:
    (shop / "api").mkdir()
    (shop / OUTPUT).write_text("# written by hand\n")
    with pytest.raises(UnrecordedOutputError, match="no record of generating it"):
        sync(shop)
    result = sync(shop, SyncOptions(force=True))
    assert result.written and result.backup is not None
    assert "class ProductCreate" in (shop / OUTPUT).read_text()


def test_a_deleted_file_is_written_again(shop: Path) -> None:
    sync(shop)
    text = (shop / OUTPUT).read_text()
    (shop / OUTPUT).unlink()
    result = sync(shop)
    assert not result.fast and (shop / OUTPUT).read_text() == text


MANUAL = '''"""Hand-written schemas on top of the generated ones."""

from pydantic import field_validator

from .schemas_generated import TagCreate as BaseTagCreate
from .schemas_generated import TagResponse


class TagCreate(BaseTagCreate):
    @field_validator("slug")
    @classmethod
    def lower(cls, value: str) -> str:
        return value.lower()
'''


def test_a_class_the_manual_file_extends_is_not_removed_silently(shop: Path) -> None:
    configure(shop, ["shop_tortoise.models"], output=OUTPUT, manual="api/schemas.py")
    sync(shop)
    (shop / "api/schemas.py").write_text(MANUAL)
    edit(shop / MODELS, "class Tag(Model):", "class Label(Model):")
    edit(shop / MODELS, '"models.Tag"', '"models.Label"')
    before = (shop / OUTPUT).read_text()
    with pytest.raises(ManualFileError, match=r"api/schemas.py uses TagCreate, TagResponse"):
        sync(shop)
    assert (shop / OUTPUT).read_text() == before
    assert sync(shop, SyncOptions(force=True)).written
    assert "class LabelCreate" in (shop / OUTPUT).read_text()


def test_settings_errors_say_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.templsync.schema]\nmodels = []\n")
    with pytest.raises(SchemaError, match=r'models = \["app.models"\]'):
        sync(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.templsync.schema]\nmodels = ["m"]\nmax_backup = 3\n'
    )
    with pytest.raises(SchemaError, match=r"max_backup: Extra inputs are not permitted"):
        sync(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.templsync.schema]\nmodels = ["m"]\n')
    with pytest.raises(
        SchemaError, match=r"the model module\(s\) m are not files under .*`models`"
    ):
        sync(tmp_path)
    (tmp_path / "m.py").write_text("x = 1\n")
    with pytest.raises(SchemaError, match="neither Tortoise nor SQLAlchemy: set `orm`"):
        sync(tmp_path)
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_OUTPUT", "../elsewhere.py")
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_ORM", "sqlalchemy")
    with pytest.raises(SchemaError, match="outside the project"):
        sync(tmp_path)


def test_variables_override_the_table_and_are_found_from_a_subfolder(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_OUTPUT", "generated/schemas.py")
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_MODELS", "shop_tortoise.models")
    (shop / "deep/er").mkdir(parents=True)
    result = sync(shop / "deep/er")
    assert result.root == shop.resolve() and (shop / "generated/schemas.py").is_file()
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_ENVIRONMENT", "production")
    from templsync.schema.settings import load_settings

    settings = load_settings(find_project(shop))
    assert not settings.auto_sync and not settings.watching
