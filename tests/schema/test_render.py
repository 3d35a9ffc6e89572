"""The generator: what the Create, Update and Response classes accept and refuse, the text's
shape (deterministic, ruff-format clean, header with modules and content hash, ``__all__``) and
the options. The generated modules are imported and exercised, not compared with a snapshot."""

from __future__ import annotations

import decimal
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from templsync.schema.model import (
    Default,
    DefaultKind,
    FieldSpec,
    Kind,
    ModelOptions,
    ModelSpec,
    Ref,
    SchemaError,
)
from templsync.schema.pyvalue import expr_of
from templsync.schema.render import body_of, content_hash, header_hash, render_module
from templsync.schema.sqlalchemy import SQLAlchemyAdapter

from .helpers import generated, import_text, import_with, make_project, ruff_format_diff

MODULES = ["shop_sa.models", "shop_sqlmodel.models"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, ModuleType]:
    root = make_project(tmp_path_factory.mktemp("shop"), "shop_sa", "shop_sqlmodel")
    _, text = generated(root, SQLAlchemyAdapter(), MODULES)
    return root, text, import_text(root, text)


def schema(module: ModuleType, name: str) -> Any:
    """A generated class (typed Any: its fields are known only at run time)."""
    cls = getattr(module, name)
    assert isinstance(cls, type) and issubclass(cls, BaseModel)
    return cls


PRODUCT = {"name": "Lamp", "price": "12.50", "category_id": 1}


def test_the_text_is_deterministic_formatted_and_headed(
    shop: tuple[Path, str, ModuleType],
) -> None:
    root, text, module = shop
    assert generated(root, SQLAlchemyAdapter(), MODULES)[1] == text
    assert ruff_format_diff(text, root) == ""
    header = text.split('"""', 1)[0]
    assert "#   shop_sa.models\n#   shop_sqlmodel.models\n" in header
    assert header_hash(text) == content_hash(body_of(text))
    assert "from __future__ import annotations" in text
    assert set(module.__all__) == {
        f"{m}{v}"
        for m in ("Category", "Product", "Tag", "Hero", "Team")
        for v in ("Create", "Update", "Response")
    }


def test_create_requires_what_has_no_default_and_is_not_null(
    shop: tuple[Path, str, ModuleType],
) -> None:
    create = schema(shop[2], "ProductCreate")
    with pytest.raises(ValidationError) as caught:
        create()
    missing = {e["loc"][0] for e in caught.value.errors() if e["type"] == "missing"}
    assert missing == {"name", "price", "category_id"}
    made = create(**PRODUCT)
    assert made.stock == 0 and made.active is True and made.description is None


def test_a_generated_primary_key_is_read_only_a_supplied_one_writable(
    shop: tuple[Path, str, ModuleType],
) -> None:
    module = shop[2]
    assert "id" not in schema(module, "ProductCreate").model_fields
    assert "id" not in schema(module, "ProductUpdate").model_fields
    response = schema(module, "ProductResponse").model_json_schema()
    assert response["properties"]["id"]["readOnly"] is True
    assert "slug" in schema(module, "TagCreate").model_fields
    assert schema(module, "TagCreate")(slug="red", label="Red").slug == "red"


def test_decimal_digits_and_places_are_kept(shop: tuple[Path, str, ModuleType]) -> None:
    create = schema(shop[2], "ProductCreate")
    assert create(**{**PRODUCT, "price": "99999999.99"}).price == decimal.Decimal("99999999.99")
    for wrong in ("1.999", "123456789.00"):
        with pytest.raises(ValidationError):
            create(**{**PRODUCT, "price": wrong})
    assert create.model_fields["price"].annotation is decimal.Decimal


def test_check_constraint_ranges_are_kept(shop: tuple[Path, str, ModuleType]) -> None:
    create = schema(shop[2], "ProductCreate")
    for field, wrong in (("stock", -1), ("stock", 10_001), ("rating", 0), ("rating", 6)):
        with pytest.raises(ValidationError):
            create(**{**PRODUCT, field: wrong})
    assert create(**{**PRODUCT, "stock": 10_000, "rating": 5}).rating == 5


def test_callable_defaults_are_factories(shop: tuple[Path, str, ModuleType]) -> None:
    create = schema(shop[2], "ProductCreate")
    first, second = create(**PRODUCT), create(**PRODUCT)
    assert isinstance(first.code, uuid.UUID) and first.code != second.code
    assert first.attributes == {} and first.attributes is not second.attributes
    assert not create.model_fields["code"].is_required()


def test_a_not_null_field_with_a_default_may_be_omitted_but_not_nulled(
    shop: tuple[Path, str, ModuleType],
) -> None:
    create = schema(shop[2], "ProductCreate")
    for field in ("stock", "active", "views", "code"):
        assert field not in create(**PRODUCT).model_fields_set
        with pytest.raises(ValidationError):
            create(**{**PRODUCT, field: None})
    assert create(**{**PRODUCT, "description": None}).description is None


def test_update_has_no_defaults_and_refuses_null_on_not_null_columns(
    shop: tuple[Path, str, ModuleType],
) -> None:
    update = schema(shop[2], "ProductUpdate")
    assert update().model_dump(exclude_unset=True) == {}
    assert update(stock=3).model_dump(exclude_unset=True) == {"stock": 3}
    for field in ("stock", "name", "code", "active"):
        with pytest.raises(ValidationError):
            update(**{field: None})
    assert update(description=None).model_dump(exclude_unset=True) == {"description": None}
    with pytest.raises(ValidationError):
        update(price="1.234")


def test_relations_are_key_columns_and_each_schema_one_plain_class(
    shop: tuple[Path, str, ModuleType],
) -> None:
    module = shop[2]
    response = schema(module, "ProductResponse")
    assert "category_id" in response.model_fields and "category" not in response.model_fields
    definitions = response.model_json_schema().get("$defs", {})
    assert not [name for name, d in definitions.items() if "properties" in d]  # nothing nested
    classes = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, BaseModel)]
    assert len([c for c in classes if c.__module__ == module.__name__]) == 15


def test_response_validates_an_orm_instance(shop: tuple[Path, str, ModuleType]) -> None:
    root, text, _ = shop
    module, models, enums = import_with(root, text, "shop_sa.models", "shop_sa.enums")
    row: Any = models.Product(
        id=7,
        code=uuid.uuid4(),
        name="Lamp",
        description=None,
        price=decimal.Decimal("3.50"),
        weight=None,
        stock=1,
        views=0,
        rating=3,
        active=True,
        color=enums.Color.GREEN,
        priority=None,
        size="S",
        released=None,
        opens=None,
        warranty=None,
        attributes={"a": [1]},
        thumbnail=None,
        created_at="2024-01-02T03:04:05",
        updated_at="2024-01-02T03:04:05",
        category_id=1,
    )
    shown = schema(module, "ProductResponse").model_validate(row)
    assert shown.model_dump()["id"] == 7 and shown.model_dump()["attributes"] == {"a": [1]}


def spec(name: str, kind: Kind = Kind.STR, **more: Any) -> FieldSpec:
    return FieldSpec(name, kind, **more)


def test_options_exclude_include_read_only_and_extra(tmp_path: Path) -> None:
    model = ModelSpec(
        "User",
        "app.models",
        (spec("id", Kind.INT, primary_key=True, read_only=True), spec("email"), spec("hash")),
    )
    options = {
        "User": ModelOptions(exclude=("hash",), read_only=("email",), extra=(("password", "str"),))
    }
    module = import_text(tmp_path, render_module([model], ["app.models"], options))
    create = schema(module, "UserCreate")
    assert set(create.model_fields) == {"password"}
    assert set(schema(module, "UserResponse").model_fields) == {"id", "email"}
    assert schema(module, "UserUpdate")().model_dump(exclude_unset=True) == {}
    only = {"User": ModelOptions(include=("email",))}
    text = render_module([model], ["app.models"], only)
    assert set(schema(import_text(tmp_path, text, "only"), "UserResponse").model_fields) == {
        "email"
    }
    with pytest.raises(SchemaError, match=r"options\.User\] names fields .* nope"):
        render_module([model], ["app.models"], {"User": ModelOptions(exclude=("nope",))})


def test_names_that_would_shadow_an_import_are_taken_care_of(tmp_path: Path) -> None:
    model = ModelSpec(
        "Event",
        "app.models",
        (
            spec(
                "uuid",
                Kind.UUID,
                default=Default(DefaultKind.FACTORY, factory=Ref("uuid", "uuid4")),
            ),
            spec("datetime", Kind.DATETIME),
            spec(
                "decimal",
                Kind.DECIMAL,
                default=Default(DefaultKind.VALUE, expr_of(decimal.Decimal("1.5"))),
            ),
            spec("Field", Kind.INT, nullable=True),
        ),
    )
    text = render_module([model], ["app.models"])
    assert ruff_format_diff(text, tmp_path) == ""
    made = schema(import_text(tmp_path, text), "EventCreate")(datetime="2024-01-01T00:00:00")
    assert isinstance(made.uuid, uuid.UUID) and made.decimal == decimal.Decimal("1.5")


def test_two_models_of_one_name_are_refused() -> None:
    twins = [ModelSpec("User", "a.models", ()), ModelSpec("User", "b.models", ())]
    with pytest.raises(SchemaError, match=r"two models are named 'User'.*a.models and b.models"):
        render_module(twins, ["a.models", "b.models"])


def test_long_lines_are_split_as_ruff_splits_them(tmp_path: Path) -> None:
    long = "A description long enough that the field's line cannot fit in eighty-eight columns"
    model = ModelSpec(
        "Thing",
        "app.models",
        (
            spec("title", description=long),
            spec("state", Kind.CHOICE, choices=tuple(f"choice_number_{i}" for i in range(9))),
        ),
    )
    text = render_module([model], ["app.models"])
    assert ruff_format_diff(text, tmp_path) == ""
    assert (
        schema(import_text(tmp_path, text), "ThingCreate")(title="t", state="choice_number_3").state
        == "choice_number_3"
    )
