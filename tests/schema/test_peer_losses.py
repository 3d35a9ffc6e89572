"""One test per loss the issue measured in the peers (Tortoise's ``pydantic_model_creator``,
datamodel-code-generator on its JSON schema, sqlalchemy-pydantic-codegen), each showing that
the schemas generated here keep what they lose. The models are the Tortoise example shop (the
peers were measured on Tortoise models and their SQLAlchemy twins); the check-constraint case
uses the SQLAlchemy example."""

from __future__ import annotations

import decimal
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from templsync.schema.sqlalchemy import SQLAlchemyAdapter
from templsync.schema.tortoise import TortoiseAdapter

from .helpers import generated, import_text, make_project, ruff_format_diff

PRODUCT = {"name": "Lamp", "price": "12.50", "category_id": 1}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, ModuleType]:
    root = make_project(tmp_path_factory.mktemp("shop"), "shop_tortoise")
    _, text = generated(root, TortoiseAdapter(), ["shop_tortoise.models"])
    return root, text, import_text(root, text)


def cls(shop: tuple[Path, str, ModuleType], name: str) -> Any:
    return getattr(shop[2], name)


def test_decimal_keeps_its_type_digits_and_places(shop: tuple[Path, str, ModuleType]) -> None:
    """Lost by all three; two turn Decimal into float."""
    create = cls(shop, "ProductCreate")
    assert create.model_fields["price"].annotation is decimal.Decimal
    assert create(**PRODUCT).price == decimal.Decimal("12.50")
    for wrong in ("1.005", "123456789.00"):  # three places; nine digits before the point
        with pytest.raises(ValidationError):
            create(**{**PRODUCT, "price": wrong})
    schema = cls(shop, "ProductResponse").model_fields["price"]
    assert schema.annotation is decimal.Decimal


def test_validator_and_check_constraint_ranges_are_kept(
    shop: tuple[Path, str, ModuleType], tmp_path: Path
) -> None:
    """``validators=`` (Tortoise) and check constraints (SQLAlchemy) are lost by all three."""
    create = cls(shop, "ProductCreate")
    for field, wrong in (("stock", -1), ("stock", 10_001), ("rating", 6), ("price", "-0.01")):
        with pytest.raises(ValidationError):
            create(**{**PRODUCT, field: wrong})
    root = make_project(tmp_path / "sa", "shop_sa")
    _, text = generated(root, SQLAlchemyAdapter(), ["shop_sa.models"])
    sa_create: Any = import_text(root, text).ProductCreate
    with pytest.raises(ValidationError):
        sa_create(name="Lamp", price="1", category_id=1, rating=9)


def test_callable_defaults_are_factories_not_required_nor_copied(
    shop: tuple[Path, str, ModuleType],
) -> None:
    """Peers make ``uuid4``/``dict`` defaults required in Create, or the function itself the
    default in Update."""
    create, update = cls(shop, "ProductCreate"), cls(shop, "ProductUpdate")
    first, second = create(**PRODUCT), create(**PRODUCT)
    assert isinstance(first.code, uuid.UUID) and first.code != second.code
    assert first.attributes == {}
    assert update().code is None and "code" not in update().model_fields_set
    assert not callable(update.model_fields["attributes"].default)


def test_a_field_with_a_default_is_not_made_nullable(shop: tuple[Path, str, ModuleType]) -> None:
    """Two peers make every field with a default nullable."""
    create = cls(shop, "ProductCreate")
    for field in ("stock", "active", "color", "views", "code", "attributes"):
        with pytest.raises(ValidationError):
            create(**{**PRODUCT, field: None})
    assert create(**{**PRODUCT, "weight": None}).weight is None  # null=True stays nullable


def test_update_copies_no_model_default(shop: tuple[Path, str, ModuleType]) -> None:
    """The peers' Update models copy the ORM defaults: a PATCH then resets fields."""
    update = cls(shop, "ProductUpdate")
    assert update(name="New").model_dump(exclude_unset=True) == {"name": "New"}
    assert all(field.default is None for field in update.model_fields.values())
    with pytest.raises(ValidationError):
        update(stock=None)  # not-null: explicit null refused


def test_the_generated_key_is_read_only_a_supplied_one_writable(
    shop: tuple[Path, str, ModuleType],
) -> None:
    """None of the peers marks the primary key read-only."""
    assert "id" not in cls(shop, "ProductCreate").model_fields
    assert "id" not in cls(shop, "ProductUpdate").model_fields
    response = cls(shop, "ProductResponse").model_json_schema()["properties"]
    assert response["id"]["readOnly"] is True
    assert response["created_at"]["readOnly"] is True
    assert "slug" in cls(shop, "TagCreate").model_fields  # the client chooses this key
    chosen = uuid.UUID(int=5)
    assert cls(shop, "ReviewCreate")(id=chosen).id == chosen  # a UUID key with a default


def test_one_plain_class_per_schema_and_relations_as_ids(
    shop: tuple[Path, str, ModuleType],
) -> None:
    """Tortoise's Response models nest a copy of every related model (600 schemas became
    3,202 definitions with numbered names)."""
    module = shop[2]
    ours = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == module.__name__
    ]
    assert sorted(c.__name__ for c in ours) == sorted(module.__all__)
    assert len(ours) == 3 * 4
    for schema in ours:
        definitions = schema.model_json_schema().get("$defs", {})
        assert not [n for n, d in definitions.items() if "properties" in d], schema.__name__
    assert "category_id" in cls(shop, "ProductCreate").model_fields
    assert "category" not in cls(shop, "ProductResponse").model_fields


def test_the_generated_code_imports_and_is_formatted(
    shop: tuple[Path, str, ModuleType], tmp_path: Path
) -> None:
    """One peer writes code that does not import."""
    _, text, module = shop
    assert module.__name__ == "schemas_generated"
    assert ruff_format_diff(text, tmp_path) == ""
    compile(text, "schemas_generated.py", "exec")
