"""Every column type schema sync maps, with checks, defaults of each kind and relations."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    Uuid,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .enums import Color, Priority


class Base(DeclarativeBase):
    pass


class Category(Base):
    """A group of products."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, comment="Shown in menus")
    products: Mapped[list[Product]] = relationship(back_populates="category")


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("stock >= 0 AND stock <= 10000", name="stock_range"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4, unique=True)
    name: Mapped[str] = mapped_column(String(120), comment="The name customers see")
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[decimal.Decimal] = mapped_column(Numeric(10, 2))
    weight: Mapped[float | None] = mapped_column(Float)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(BigInteger, server_default="0")
    rating: Mapped[int] = mapped_column(SmallInteger, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    color: Mapped[Color] = mapped_column(Enum(Color), default=Color.RED)
    priority: Mapped[Priority | None] = mapped_column(Enum(Priority))
    size: Mapped[str] = mapped_column(Enum("S", "M", "L", name="size"), default="M")
    released: Mapped[datetime.date | None] = mapped_column(Date)
    opens: Mapped[datetime.time | None] = mapped_column(Time)
    warranty: Mapped[datetime.timedelta | None] = mapped_column(Interval)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=func.now(), onupdate=func.now()
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    category: Mapped[Category] = relationship(back_populates="products")


class Tag(Base):
    """A label whose key the client chooses."""

    __tablename__ = "tags"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
