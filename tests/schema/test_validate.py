"""``schema validate``: what passes on freshly generated files for each ORM, and each failure
named: a missing or unparsable file, markers left, a Response that no longer validates its
model, a manual file that imports what is not there or that a regeneration would break."""

from __future__ import annotations

from pathlib import Path

import pytest

from templsync.cli.main import main
from templsync.schema.sync import sync
from templsync.schema.validate import validate

from .helpers import configure, edit, make_project

OUTPUT = "api/schemas_generated.py"
MANUAL = "api/schemas.py"
MANUAL_TEXT = '''"""Hand-written schemas."""

from pydantic import field_validator

from .schemas_generated import TagCreate as BaseTagCreate


class TagCreate(BaseTagCreate):
    @field_validator("slug")
    @classmethod
    def lower(cls, value: str) -> str:
        return value.lower()
'''


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "shop", "shop_tortoise")
    configure(root, ["shop_tortoise.models"], output=OUTPUT, manual=MANUAL)
    sync(root)
    (root / MANUAL).write_text(MANUAL_TEXT)
    return root


def failed(root: Path) -> dict[str, str]:
    return {c.name: c.detail for c in validate(root).checks if not c.ok}


def test_fresh_files_pass_for_tortoise(shop: Path) -> None:
    result = validate(shop)
    assert result.ok, result.checks
    names = [c.name for c in result.checks]
    assert names == [
        "generated file",
        "generated file imports",
        "Category",
        "Product",
        "Review",
        "Tag",
        "manual file imports",
        "next regeneration",
    ]


def test_fresh_files_pass_for_sqlalchemy_and_sqlmodel(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop", "shop_sa", "shop_sqlmodel")
    configure(root, ["shop_sa.models", "shop_sqlmodel.models"], output=OUTPUT)
    sync(root)
    result = validate(root)
    assert result.ok, result.checks
    assert {c.name for c in result.checks} >= {"Product", "Hero", "Team", "Tag", "Category"}


def test_a_response_that_no_longer_fits_its_model_fails(shop: Path) -> None:
    edit(
        shop / OUTPUT,
        "    slug: str\n    label: str\n",
        "    slug: str\n    label: str\n    shelf: int\n",
    )
    assert "TagResponse: ValidationError" in failed(shop)["Tag"]


def test_markers_a_syntax_error_and_a_missing_file_fail_first(shop: Path) -> None:
    text = (shop / OUTPUT).read_text()
    (shop / OUTPUT).write_text(text + "<<<<<<< file on disk\n")
    assert "conflict markers" in failed(shop)["generated file"]
    (shop / OUTPUT).write_text(text + "class Broken(\n")
    assert failed(shop)["generated file"].startswith(f"{OUTPUT}:")
    (shop / OUTPUT).unlink()
    assert "run `schema sync`" in failed(shop)["generated file"]


def test_the_manual_file_must_import_and_find_its_names(shop: Path) -> None:
    (shop / MANUAL).write_text(MANUAL_TEXT.replace("TagCreate as", "ShelfCreate as"))
    assert "ShelfCreate" in failed(shop)["manual file imports"]
    (shop / MANUAL).write_text(
        MANUAL_TEXT + "\nfrom . import schemas_generated\n\n\n"
        "def other() -> object:\n    return schemas_generated.ShelfUpdate\n"
    )
    assert "lacks: ShelfUpdate" in failed(shop)["manual file"]


def test_a_regeneration_that_would_remove_a_used_class_is_reported(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(shop / "shop_tortoise/models.py", "class Tag(Model):", "class Label(Model):")
    edit(shop / "shop_tortoise/models.py", '"models.Tag"', '"models.Label"')
    problems = failed(shop)
    assert "would remove TagCreate" in problems["next regeneration"]
    assert "missing from the generated file: LabelCreate" in problems["Label"]  # not synced yet
    assert main(["schema", "validate", "-C", str(shop)]) == 1
    out = capsys.readouterr().out
    assert "failed next regeneration" in out and "check(s) passed" in out
