"""The shop's Tortoise models: the source the schemas are generated from."""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MinValueValidator


class Status(enum.StrEnum):
    DRAFT = "draft"
    LIVE = "live"


class Customer(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=200, unique=True)
    password_hash = fields.CharField(max_length=128, default="")
    joined = fields.DatetimeField(auto_now_add=True)


class Product(Model):
    """Something for sale."""

    id = fields.IntField(primary_key=True)
    sku = fields.UUIDField(default=uuid.uuid4, unique=True)
    #: The name on the shelf
    name = fields.CharField(max_length=120)
    price = fields.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    stock = fields.IntField(default=0, validators=[MinValueValidator(0)])
    status = fields.CharEnumField(Status, default=Status.DRAFT)
    details = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)


class Order(Model):
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="orders"
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="orders"
    )
    quantity = fields.SmallIntField(default=1, validators=[MinValueValidator(1)])
    note = fields.TextField(null=True)
