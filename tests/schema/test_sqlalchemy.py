"""The SQLAlchemy adapter on real SQLAlchemy 2.0 and SQLModel models: every column type, each
kind of default, check constraints, comments, relations as key columns; no database involved."""

from __future__ import annotations

from pathlib import Path

import pytest

from templsync.schema.model import DefaultKind, Kind, ModelsError, Ref
from templsync.schema.sqlalchemy import SQLAlchemyAdapter

from .helpers import load, make_project


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("shop"), "shop_sa", "shop_sqlmodel")


def test_every_column_type_is_read_with_its_constraints(shop: Path) -> None:
    loaded = load(shop, SQLAlchemyAdapter(), ["shop_sa.models"])
    assert [m.name for m in loaded.models] == ["Category", "Product", "Tag"]
    product = loaded.models[1]
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
        "size": Kind.CHOICE,
        "released": Kind.DATE,
        "opens": Kind.TIME,
        "warranty": Kind.TIMEDELTA,
        "attributes": Kind.JSON,
        "thumbnail": Kind.BYTES,
        "created_at": Kind.DATETIME,
        "updated_at": Kind.DATETIME,
        "category_id": Kind.INT,
    }
    assert "category" not in kinds  # the relationship is its key column
    assert product.field("name").bounds.max_length == 120
    assert product.field("name").description == "The name customers see"
    price = product.field("price").bounds
    assert (price.max_digits, price.decimal_places) == (10, 2)
    assert (product.field("stock").bounds.ge, product.field("stock").bounds.le) == ("0", "10000")
    assert (product.field("rating").bounds.ge, product.field("rating").bounds.le) == ("1", "5")
    assert product.field("color").enum == Ref("shop_sa.enums", "Color")
    assert product.field("size").choices == ("S", "M", "L")
    assert product.field("category_id").foreign_key == "Category"
    assert product.field("description").nullable
    assert not product.field("name").nullable


def test_defaults_are_told_apart(shop: Path) -> None:
    product = load(shop, SQLAlchemyAdapter(), ["shop_sa.models"]).models[1]
    code = product.field("code").default
    assert (code.kind, code.factory) == (DefaultKind.FACTORY, Ref("uuid", "uuid4"))
    attributes = product.field("attributes").default
    assert (attributes.kind, attributes.factory) == (DefaultKind.FACTORY, Ref("builtins", "dict"))
    stock = product.field("stock").default
    assert stock.kind is DefaultKind.VALUE
    assert stock.literal is not None and stock.literal.source == "0"
    assert product.field("views").default.kind is DefaultKind.DATABASE  # server_default
    assert product.field("created_at").default.kind is DefaultKind.DATABASE  # func.now()
    assert product.field("name").default.kind is DefaultKind.NONE


def test_generated_keys_and_onupdate_columns_are_read_only(shop: Path) -> None:
    models = {m.name: m for m in load(shop, SQLAlchemyAdapter(), ["shop_sa.models"]).models}
    product, tag = models["Product"], models["Tag"]
    assert product.field("id").read_only and product.field("id").primary_key
    assert product.field("updated_at").read_only
    assert not product.field("created_at").read_only
    assert tag.field("slug").primary_key and not tag.field("slug").read_only


def test_sqlmodel_tables_with_their_field_constraints(shop: Path) -> None:
    loaded = load(shop, SQLAlchemyAdapter(), ["shop_sqlmodel.models"])
    assert [m.name for m in loaded.models] == ["Hero", "Team"]  # HeroPublic is no table
    hero = loaded.models[0]
    assert hero.field("id").read_only
    assert hero.field("name").bounds.max_length == 30
    assert hero.field("name").description == "The hero's public name"
    assert (hero.field("age").bounds.ge, hero.field("age").bounds.le) == ("0", "200")
    assert hero.field("secret").default.factory == Ref("uuid", "uuid4")
    fee = hero.field("fee").bounds
    assert (fee.max_digits, fee.decimal_places) == (8, 2)
    assert hero.field("team_id").foreign_key == "Team"


def test_a_module_that_fails_to_import_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken_models.py").write_text("import sqlalchemy\nraise RuntimeError('boom')\n")
    with pytest.raises(ModelsError, match=r"'broken_models' failed: RuntimeError: boom"):
        load(tmp_path, SQLAlchemyAdapter(), ["broken_models"])
    with pytest.raises(ModelsError, match=r"'missing_models' was not found"):
        load(tmp_path, SQLAlchemyAdapter(), ["missing_models"])


def test_a_column_type_without_a_schema_type_names_the_way_out(tmp_path: Path) -> None:
    (tmp_path / "odd_models.py").write_text(
        "from sqlalchemy import Column, Integer, PickleType\n"
        "from sqlalchemy.orm import DeclarativeBase\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class Jar(Base):\n    __tablename__ = 'jars'\n"
        "    id = Column(Integer, primary_key=True)\n    blob = Column(PickleType)\n"
    )
    with pytest.raises(ModelsError, match=r"Jar\.blob.*options\.Jar.*exclude"):
        load(tmp_path, SQLAlchemyAdapter(), ["odd_models"])
