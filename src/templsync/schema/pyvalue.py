"""Python values as source text: the defaults a model states, written into the generated module.

:func:`expr_of` gives an :class:`~templsync.schema.model.Expr` for the values a default can hold
(None, bool, int, float, str, bytes, Decimal, dates and times, UUID, an enum member, and lists,
tuples and dicts of those) and None for anything else, which the caller then treats as a default
the schema cannot state. Strings are written as ``ruff format`` writes them (double quotes unless
the text holds a double quote and no single one). An object the source names (``decimal.Decimal``,
an enum class) is a :class:`Ref` and appears in the source as a placeholder (:func:`placeholder`)
that the generator replaces with the name it imports the object as.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import importlib
import math
import re
import uuid

from templsync.schema.model import Expr, Ref

_MARK = "\0"  # never in Python source: a literal's NUL is written as an escape
_PLACEHOLDER = re.compile(f"{_MARK}(\\d+){_MARK}")


def placeholder(index: int) -> str:
    return f"{_MARK}{index}{_MARK}"


def fill(expr: Expr, names: tuple[str, ...]) -> str:
    """``expr``'s source with each ref's placeholder replaced by its name in ``names``."""
    return _PLACEHOLDER.sub(lambda m: names[int(m.group(1))], expr.source)


def string_literal(text: str) -> str:
    """``text`` as a Python string literal, quoted as ``ruff format`` quotes it."""
    quoted = repr(text)
    if quoted.startswith("'") and '"' not in text:
        return '"' + quoted[1:-1].replace("\\'", "'") + '"'
    return quoted


def _bytes_literal(data: bytes) -> str:
    quoted = repr(data)
    if quoted.startswith("b'") and b'"' not in data:
        return 'b"' + quoted[2:-1].replace("\\'", "'") + '"'
    return quoted


def _call(ref: Ref, args: str) -> Expr:
    return Expr(f"{placeholder(0)}({args})", (ref,))


def expr_of(value: object) -> Expr | None:
    """``value`` as source, or None when it is not a value this module writes."""
    if value is None or isinstance(value, bool):
        return Expr(repr(value))
    if isinstance(value, enum.Enum):
        enum_class = type(value)
        ref = Ref(enum_class.__module__, enum_class.__qualname__)
        return Expr(f"{placeholder(0)}.{value.name}", (ref,))
    if isinstance(value, int):
        return Expr(repr(int(value)))
    if isinstance(value, float):
        return Expr(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        return Expr(string_literal(value))
    if isinstance(value, bytes):
        return Expr(_bytes_literal(value))
    if isinstance(value, decimal.Decimal):
        return _call(Ref("decimal", "Decimal"), string_literal(str(value)))
    if isinstance(value, uuid.UUID):
        return _call(Ref("uuid", "UUID"), string_literal(str(value)))
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return None
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        cls = type(value)
        shown = repr(value)
        prefix = f"{cls.__module__}.{cls.__qualname__}("
        if not shown.startswith(prefix):
            return None
        return _call(Ref(cls.__module__, cls.__qualname__), shown[len(prefix) : -1])
    if isinstance(value, list | tuple):
        return _sequence(value)
    if isinstance(value, dict):
        return _mapping(value)
    return None


def _join(parts: list[Expr]) -> tuple[list[str], tuple[Ref, ...]]:
    """The parts' sources renumbered into one list of refs."""
    sources: list[str] = []
    refs: list[Ref] = []
    for part in parts:
        offset = len(refs)
        sources.append(_shifted(part.source, offset))
        refs.extend(part.refs)
    return sources, tuple(refs)


def _shifted(source: str, offset: int) -> str:
    def shift(match: re.Match[str]) -> str:
        return placeholder(int(match.group(1)) + offset)

    return _PLACEHOLDER.sub(shift, source)


def _sequence(value: list[object] | tuple[object, ...]) -> Expr | None:
    parts = [expr_of(item) for item in value]
    if any(p is None for p in parts):
        return None
    sources, refs = _join([p for p in parts if p is not None])
    body = ", ".join(sources)
    if isinstance(value, tuple):
        return Expr(f"({body},)" if len(sources) == 1 else f"({body})", refs)
    return Expr(f"[{body}]", refs)


def _mapping(value: dict[object, object]) -> Expr | None:
    parts: list[Expr] = []
    for key, item in value.items():
        k, v = expr_of(key), expr_of(item)
        if k is None or v is None:
            return None
        parts += [k, v]
    sources, refs = _join(parts)
    pairs = [f"{sources[i]}: {sources[i + 1]}" for i in range(0, len(sources), 2)]
    return Expr("{" + ", ".join(pairs) + "}", refs)


def ref_of(obj: object) -> Ref | None:
    """The importable name of a function or class (None: a lambda, a local or nameless object).

    The ref is checked: importing its module and following its name must give ``obj`` back."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    owner = getattr(obj, "__self__", None)
    if module is None and isinstance(owner, type):  # a C class method: datetime.datetime.now
        module = owner.__module__
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    try:
        found: object = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return Ref(module, qualname) if found is obj or found == obj else None
