"""Enums the shop's models use, in a module of their own (the schemas import them from here)."""

from __future__ import annotations

import enum


class Color(enum.StrEnum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2
