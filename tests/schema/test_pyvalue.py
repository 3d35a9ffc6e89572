"""Defaults written as source: every value the module writes reads back as itself."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid

from hypothesis import given
from hypothesis import strategies as st

from templsync.schema.model import Ref
from templsync.schema.pyvalue import expr_of, fill, ref_of, string_literal


class Shade(enum.Enum):
    DARK = "dark"


NAMES = {
    Ref("decimal", "Decimal"): decimal.Decimal,
    Ref("uuid", "UUID"): uuid.UUID,
    Ref("datetime", "date"): datetime.date,
    Ref("datetime", "datetime"): datetime.datetime,
    Ref("datetime", "time"): datetime.time,
    Ref("datetime", "timedelta"): datetime.timedelta,
    Ref(__name__, "Shade"): Shade,
}


def read_back(value: object) -> object:
    expr = expr_of(value)
    assert expr is not None
    names = tuple(f"_ref{i}" for i in range(len(expr.refs)))
    scope = {name: NAMES[ref] for name, ref in zip(names, expr.refs, strict=True)}
    return eval(fill(expr, names), scope)


@given(st.text())
def test_any_string_reads_back(text: str) -> None:
    assert eval(string_literal(text)) == text
    if '"' not in text:
        assert string_literal(text).startswith('"')


def test_values_read_back_as_themselves() -> None:
    values: list[object] = [
        None,
        True,
        -3,
        2.5,
        "it's",
        b"\x00x",
        decimal.Decimal("10.50"),
        uuid.UUID(int=7),
        datetime.date(2024, 2, 29),
        datetime.datetime(2024, 1, 1, 12, 30),
        datetime.time(8, 15),
        datetime.timedelta(days=2, seconds=5),
        Shade.DARK,
        [1, ("a",), {"k": decimal.Decimal("1")}],
    ]
    for value in values:
        assert read_back(value) == value


def test_values_it_cannot_write_are_none() -> None:
    assert expr_of(float("inf")) is None
    assert expr_of({1, 2}) is None
    assert expr_of(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)) is None
    assert expr_of([object()]) is None


def test_refs_name_importable_objects_only() -> None:
    assert ref_of(uuid.uuid4) == Ref("uuid", "uuid4")
    assert ref_of(datetime.datetime.now) == Ref("datetime", "datetime.now")
    assert ref_of(dict) == Ref("builtins", "dict")
    assert ref_of(lambda: 1) is None

    def local() -> int:
        return 1

    assert ref_of(local) is None
