"""The Tortoise adapter on real Tortoise models: every field type, validators, defaults of each
kind, relations as key columns, no database; the fast comment scan gives exactly what Tortoise's
own import gives."""

from __future__ import annotations

import decimal
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from templsync.schema.model import DefaultKind, Kind, ModelsError, Ref
from templsync.schema.render import render_module
from templsync.schema.tortoise import TortoiseAdapter, fast_comments

from .helpers import import_text, load, make_project, ruff_format_diff

MODULES = ["shop_tortoise.models"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("shop"), "shop_tortoise")


def test_every_field_type_is_read_with_its_constraints(shop: Path) -> None:
    models = {m.name: m for m in load(shop, TortoiseAdapter(), MODULES).models}
    assert list(models) == ["Category", "Product", "Review", "Tag"]
    product = models["Product"]
    kinds = {f.name: f.kind for f in product.fields}
    assert kinds == {
        "id": Kind.INT,
        "code": Kind.UUID,
        "name": Kind.STR,
        "description": Kind.STR,
        "price": Kind.DECIMAL,
        "weight": Kind.FLOAT,
        "stock": Kind.INT,
        "views": Kind.INT,
        "rating": Kind.INT,
        "active": Kind.BOOL,
        "color": Kind.ENUM,
        "priority": Kind.ENUM,
        "released": Kind.DATE,
        "opens": Kind.TIME,
        "warranty": Kind.TIMEDELTA,
        "attributes": Kind.JSON,
        "thumbnail": Kind.BYTES,
        "created_at": Kind.DATETIME,
        "updated_at": Kind.DATETIME,
        "category_id": Kind.INT,
    }  # the many-to-many "tags" and the backward "reviews" are not columns
    name = product.field("name").bounds
    assert (name.min_length, name.max_length) == (2, 120)
    price = product.field("price").bounds
    assert (price.max_digits, price.decimal_places, price.ge) == (10, 2, "0")
    assert (product.field("stock").bounds.ge, product.field("stock").bounds.le) == ("0", "10000")
    assert (product.field("rating").bounds.ge, product.field("rating").bounds.le) == ("1", "5")
    views = product.field("views").bounds
    assert (views.ge, views.le) == ("-9223372036854775808", "9223372036854775807")
    assert product.field("color").enum == Ref("shop_tortoise.enums", "Color")
    assert product.field("priority").enum == Ref("shop_tortoise.enums", "Priority")
    assert product.field("category_id").foreign_key == "Category"
    assert models["Review"].field("product_id").nullable


def test_descriptions_come_from_the_argument_and_from_comments(shop: Path) -> None:
    models = {m.name: m for m in load(shop, TortoiseAdapter(), MODULES).models}
    assert models["Product"].field("name").description == "The name customers see"
    assert models["Category"].field("name").description == "Shown in menus"
    assert models["Review"].field("title").description == "What Review readers see first"


def test_defaults_and_read_only_fields(shop: Path) -> None:
    models = {m.name: m for m in load(shop, TortoiseAdapter(), MODULES).models}
    product = models["Product"]
    assert product.field("code").default.factory == Ref("uuid", "uuid4")
    assert product.field("attributes").default.factory == Ref("builtins", "dict")
    assert product.field("stock").default.kind is DefaultKind.VALUE
    assert product.field("views").default.kind is DefaultKind.DATABASE  # db_default
    color = product.field("color").default
    assert color.literal is not None and color.literal.refs == (
        Ref("shop_tortoise.enums", "Color"),
    )
    assert product.field("id").read_only
    assert product.field("created_at").read_only and product.field("updated_at").read_only
    review_id = models["Review"].field("id")
    assert review_id.primary_key and not review_id.read_only  # the client may supply it
    assert not models["Tag"].field("slug").read_only


def test_the_fast_comment_scan_reads_what_tortoise_reads(shop: Path) -> None:
    full = load(shop, TortoiseAdapter(fast=False), MODULES)
    fast = load(shop, TortoiseAdapter(fast=True), MODULES)
    assert fast.models == full.models


def test_the_fast_comment_scan_on_tricky_sources(tmp_path: Path) -> None:
    """Nested classes, decorated classes, a class name used twice, multi-line comments."""
    (tmp_path / "tricky_models.py").write_text(
        "import functools\n"
        "from tortoise import fields\n"
        "from tortoise.models import Model\n"
        "def deco(cls):\n    return cls\n"
        "def factory():\n"
        "    class Hidden(Model):\n"
        "        #: inside a function\n"
        "        a = fields.IntField()\n"
        "    return Hidden\n"
        "@deco\n"
        "class Outer(Model):\n"
        "    #: first line\n"
        "    #: second line of {model}\n"
        "    b = fields.CharField(max_length=5)\n"
        "    class Meta:\n"
        "        table = 'outer'\n"
        "class Plain(Model):\n"
        "    c = fields.IntField()  # not a doc comment\n"
        "    #: described\n"
        "    d: int = fields.IntField()\n"
        "try:\n"
        "    class InTry(Model):\n"
        "        #: in a try\n"
        "        e = fields.IntField()\n"
        "        #: a trailing doc comment, no field after it\n"
        "except ImportError:\n"
        "    pass\n"
    )
    full = load(tmp_path, TortoiseAdapter(fast=False), ["tricky_models"])
    fast = load(tmp_path, TortoiseAdapter(fast=True), ["tricky_models"])
    assert fast.models == full.models
    models = {m.name: m for m in fast.models}
    assert models["Outer"].field("b").description == "first line"  # Tortoise keeps line one
    assert models["InTry"].field("e").description == "in a try"


def test_the_comment_scan_is_restored_after_the_block() -> None:
    import tortoise.models

    before = tortoise.models._get_comments
    with fast_comments():
        assert tortoise.models._get_comments is not before
    assert tortoise.models._get_comments is before


def test_models_tortoise_refuses_are_reported(tmp_path: Path) -> None:
    (tmp_path / "bad_models.py").write_text(
        "from tortoise import fields\nfrom tortoise.models import Model\n"
        "class A(Model):\n    b = fields.ForeignKeyField('models.Missing')\n"
    )
    with pytest.raises(ModelsError, match=r"Tortoise refused the models of bad_models: .*Missing"):
        load(tmp_path, TortoiseAdapter(), ["bad_models"])


def schema(module: Any, name: str) -> Any:
    return getattr(module, name)


def test_generated_schemas_of_tortoise_models(shop: Path, tmp_path: Path) -> None:
    loaded = load(shop, TortoiseAdapter(), MODULES)
    text = render_module(loaded.models, MODULES)
    assert ruff_format_diff(text, tmp_path) == ""
    module = import_text(shop, text)
    create = schema(module, "ProductCreate")
    assert set(create.model_fields) >= {"category_id", "code", "price"}
    assert not {"id", "created_at", "updated_at", "category", "tags"} & set(create.model_fields)
    made = create(name="Lamp", price="1.50", category_id=1)
    assert made.color.value == "red" and made.stock == 0 and isinstance(made.code, uuid.UUID)
    for wrong in ({"price": "-1"}, {"price": "1.555"}, {"name": "L"}, {"stock": 10_001}):
        with pytest.raises(ValidationError):
            create(**{"name": "Lamp", "price": "1.50", "category_id": 1, **wrong})
    review = schema(module, "ReviewCreate")
    assert isinstance(review().id, uuid.UUID)
    chosen = uuid.UUID(int=1)
    assert review(id=chosen).id == chosen and review().title == "Untitled"
    update = schema(module, "ProductUpdate")
    assert update().model_dump(exclude_unset=True) == {}
    with pytest.raises(ValidationError):
        update(price=None)
    assert update(price="2").price == decimal.Decimal("2")
