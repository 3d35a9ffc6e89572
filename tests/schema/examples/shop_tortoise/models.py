"""Every Tortoise field type schema sync maps: validators, defaults of each kind, relations."""

from __future__ import annotations

import uuid
from decimal import Decimal

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxValueValidator, MinLengthValidator, MinValueValidator

from .enums import Color, Priority


class Category(Model):
    """A group of products."""

    id = fields.IntField(primary_key=True)
    #: Shown in menus
    name = fields.CharField(max_length=80, unique=True)


class Product(Model):
    id = fields.IntField(primary_key=True)
    code = fields.UUIDField(default=uuid.uuid4, unique=True)
    name = fields.CharField(
        max_length=120, validators=[MinLengthValidator(2)], description="The name customers see"
    )
    description = fields.TextField(null=True)
    price = fields.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    weight = fields.FloatField(null=True)
    stock = fields.IntField(default=0, validators=[MinValueValidator(0), MaxValueValidator(10000)])
    views = fields.BigIntField(db_default=0)
    rating = fields.SmallIntField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    active = fields.BooleanField(default=True)
    color = fields.CharEnumField(Color, default=Color.RED)
    priority = fields.IntEnumField(Priority, null=True)
    released = fields.DateField(null=True)
    opens = fields.TimeField(null=True)
    warranty = fields.TimeDeltaField(null=True)
    attributes: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    thumbnail = fields.BinaryField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="products"
    )
    tags: fields.ManyToManyRelation[Tag] = fields.ManyToManyField("models.Tag")


class Tag(Model):
    """A label whose key the client chooses."""

    slug = fields.CharField(max_length=40, primary_key=True)
    label = fields.CharField(max_length=80)


class Review(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="reviews", null=True
    )
    #: What {model} readers see first
    title = fields.CharField(max_length=60, default="Untitled")
