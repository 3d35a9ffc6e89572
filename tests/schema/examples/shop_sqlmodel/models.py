"""SQLModel table models: constraints and defaults stated on the fields."""

from __future__ import annotations

import decimal
import uuid

from sqlmodel import Field, SQLModel


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=30, description="The hero's public name")
    secret: uuid.UUID = Field(default_factory=uuid.uuid4)
    age: int = Field(default=30, ge=0, le=200)
    fee: decimal.Decimal = Field(max_digits=8, decimal_places=2)
    team_id: int | None = Field(default=None, foreign_key="team.id")


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)


class HeroPublic(SQLModel):
    """Not a table: no schemas are generated for it."""

    name: str
