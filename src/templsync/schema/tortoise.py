"""Tortoise ORM models read into :class:`ModelSpec` values, without a database.

The model modules are imported and their models initialised with ``Tortoise.init_models`` in a
``TortoiseContext`` of their own (relations resolved, no connection). Each field is read from its
field object:

- the kind from the field class (``CharEnumField``/``IntEnumField`` before ``CharField``/
  ``IntField``: the enum class is imported from its module); ``CharField`` max length, the
  integer fields' ranges (32-bit, 64-bit, 16-bit), ``DecimalField`` digits and places;
- ranges and lengths from ``validators=`` (``MinValueValidator``, ``MaxValueValidator``,
  ``MinLengthValidator``, ``MaxLengthValidator``, ``RegexValidator``), the tighter bound winning;
- ``null``, ``default`` (a callable as a factory when importable, a value as the value),
  ``db_default`` as a database default, ``description`` (and ``#:`` comments, which Tortoise
  turns into descriptions);
- a generated primary key and ``auto_now``/``auto_now_add`` fields are read-only;
- a ``ForeignKeyField``/``OneToOneField`` is its key column (``<name>_id``) typed as the related
  model's key; many-to-many and backward relations are not columns and are left out.

Importing a module of many models through Tortoise is slow for one reason: for every model
class, Tortoise reads the source of the class to collect its ``#:`` comments, and finding a
class's source parses the whole module again, so a module of n models is parsed n times. While
the modules are imported here, that one step is done by :func:`fast_comments` instead, which
parses each file once and gives the same comments (``tests/schema/test_tortoise.py`` compares
the models read both ways).

This module imports Tortoise: it is loaded only when the ``tortoise`` adapter is used.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import re
import sys
import types
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import tortoise.models as tortoise_models
from tortoise import Tortoise, fields
from tortoise.context import TortoiseContext
from tortoise.exceptions import ConfigurationError
from tortoise.fields import relational
from tortoise.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    RegexValidator,
)

from templsync.schema.adapter import Loaded, import_modules, sorted_models
from templsync.schema.model import (
    NO_DEFAULT,
    Bounds,
    Default,
    DefaultKind,
    FieldSpec,
    Kind,
    ModelsError,
    ModelSpec,
    Ref,
)
from templsync.schema.pyvalue import expr_of, ref_of

_SIMPLE: tuple[tuple[type, Kind], ...] = (
    (fields.BooleanField, Kind.BOOL),
    (fields.IntField, Kind.INT),  # BigIntField and SmallIntField too
    (fields.CharField, Kind.STR),
    (fields.TextField, Kind.STR),
    (fields.DecimalField, Kind.DECIMAL),
    (fields.FloatField, Kind.FLOAT),
    (fields.DatetimeField, Kind.DATETIME),
    (fields.DateField, Kind.DATE),
    (fields.TimeField, Kind.TIME),
    (fields.TimeDeltaField, Kind.TIMEDELTA),
    (fields.JSONField, Kind.JSON),
    (fields.UUIDField, Kind.UUID),
    (fields.BinaryField, Kind.BYTES),
)
_SKIPPED = (
    relational.BackwardFKRelation,  # BackwardOneToOneRelation too
    relational.ManyToManyFieldInstance,
)


class TortoiseAdapter:
    """The ``tortoise`` adapter. ``app`` is the app label the models' references use
    (``"models.Author"``); ``fast`` reads ``#:`` comments with :func:`fast_comments`."""

    name = "tortoise"

    def __init__(self, app: str = "models", *, fast: bool = True) -> None:
        self.app = app
        self.fast = fast

    def load(self, modules: Sequence[str]) -> Loaded:
        with fast_comments(enabled=self.fast):
            imported = import_modules(modules)
        with TortoiseContext() as context:
            try:
                Tortoise.init_models(imported, self.app)
            except ConfigurationError as e:
                raise ModelsError(
                    f"Tortoise refused the models of {', '.join(modules)}: {e}"
                ) from e
            apps = context.apps
            found = dict(apps.apps.get(self.app, {})) if apps is not None else {}
        specs = [_model(cls) for cls in found.values()]
        return Loaded(sorted_models(specs, modules), {cls.__name__: cls for cls in found.values()})

    def instance(self, cls: type, values: Mapping[str, object]) -> object:
        return cls(**values)


def _model(cls: Any) -> ModelSpec:
    meta = cls._meta
    specs: list[FieldSpec] = []
    for name, field in meta.fields_map.items():
        if isinstance(field, _SKIPPED) or field.reference is not None:
            continue  # not a column, or a key column read with its relation below
        if isinstance(field, relational.ForeignKeyFieldInstance):
            specs.append(_key(cls, field))
        else:
            specs.append(_field(cls, name, field))
    return ModelSpec(cls.__name__, cls.__module__, tuple(specs), meta.table_description or None)


def _key(cls: Any, relation: Any) -> FieldSpec:
    """A foreign key as its key column, typed as the related model's key."""
    key = cls._meta.fields_map[relation.source_field]
    base = _field(cls, relation.source_field, key)
    return FieldSpec(
        name=relation.source_field,
        kind=base.kind,
        nullable=bool(relation.null),
        default=_default(relation),
        bounds=base.bounds,
        description=relation.description,
        primary_key=bool(relation.pk),
        foreign_key=relation.related_model.__name__,
    )


def _field(cls: Any, name: str, field: Any) -> FieldSpec:
    enum_ref, kind = _kind(cls, name, field)
    auto = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    return FieldSpec(
        name=name,
        kind=kind,
        nullable=bool(field.null),
        default=_default(field),
        bounds=Bounds() if kind is Kind.ENUM else _bounds(field),  # the enum says it all
        description=field.description,
        primary_key=bool(field.pk),
        read_only=bool(field.pk and field.generated) or auto,
        enum=enum_ref,
    )


def _kind(cls: Any, name: str, field: Any) -> tuple[Ref | None, Kind]:
    enum_type = getattr(field, "enum_type", None)
    if enum_type is not None:  # CharEnumField, IntEnumField
        ref = ref_of(enum_type)
        if ref is None:
            raise ModelsError(
                f"{cls.__module__}.{cls.__name__}.{name}: its enum {enum_type.__qualname__} is "
                "not importable by name (defined inside a function?). Define it at the top "
                "level of a module."
            )
        return ref, Kind.ENUM
    for field_class, kind in _SIMPLE:
        if isinstance(field, field_class):
            return None, kind
    raise ModelsError(
        f"{cls.__module__}.{cls.__name__}.{name}: the field type {type(field).__name__} has no "
        f"schema type here. Leave it out with [tool.templsync.schema.options.{cls.__name__}] "
        f'exclude = ["{name}"].'
    )


def _default(field: Any) -> Default:
    value = field.default
    if value is None:
        return Default(DefaultKind.DATABASE) if field.has_db_default() else NO_DEFAULT
    if callable(value):  # a function or a class (dict, list): called for each new row
        ref = ref_of(value)
        if ref is None:
            return Default(DefaultKind.DATABASE)
        return Default(DefaultKind.FACTORY, factory=ref)
    literal = expr_of(value)
    if literal is None:
        return Default(DefaultKind.DATABASE)
    return Default(DefaultKind.VALUE, literal)


def _number(value: object) -> str:
    return str(value) if isinstance(value, Decimal) else repr(value)


def _bounds(field: Any) -> Bounds:
    constraints = field.constraints
    low: Any = constraints.get("ge")
    high: Any = constraints.get("le")
    max_length = getattr(field, "max_length", None)
    min_length = None
    pattern = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.min_value if low is None else max(low, validator.min_value)
        elif isinstance(validator, MaxValueValidator):
            high = validator.max_value if high is None else min(high, validator.max_value)
        elif isinstance(validator, MinLengthValidator):
            min_length = validator.min_length
        elif isinstance(validator, MaxLengthValidator):
            max_length = (
                validator.max_length
                if max_length is None
                else min(max_length, validator.max_length)
            )
        elif isinstance(validator, RegexValidator) and not validator.regex.flags & ~re.UNICODE:
            pattern = validator.regex.pattern
    digits = getattr(field, "max_digits", None), getattr(field, "decimal_places", None)
    return Bounds(
        max_length=max_length,
        min_length=min_length,
        ge=None if low is None else _number(low),
        le=None if high is None else _number(high),
        max_digits=digits[0],
        decimal_places=digits[1],
        pattern=pattern,
    )


# ``#:`` comments, as Tortoise's ``models._get_comments`` collects them.
_COMMENTS = re.compile(r"((?:(?!\n|^)[^\w\n]*#:.*?\n)+?)[^\w\n]*(\w+)\s*[:=]")
_COMMENT_MARKS = re.compile(r"(^\s*#:\s*|\s*$)", re.MULTILINE)


@contextmanager
def fast_comments(*, enabled: bool = True) -> Iterator[None]:
    """While the block imports models, Tortoise collects their ``#:`` comments with one parse
    per file (:class:`_SourceIndex`) instead of one per class. Nothing changes when ``enabled``
    is false, or when this Tortoise has no such step."""
    original = getattr(tortoise_models, "_get_comments", None)
    if not enabled or original is None:
        yield
        return
    index = _SourceIndex()
    tortoise_models._get_comments = index.comments
    try:
        yield
    finally:
        tortoise_models._get_comments = original


class _SourceIndex:
    """Where each class of a file starts and ends, found with one parse of the file."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple[list[str], dict[str, tuple[int, int]]]] = {}

    def comments(self, cls: type) -> dict[str, str]:
        source = self.source(cls)
        if source is None:
            return {}
        found: dict[str, str] = {}
        for block, name in _COMMENTS.findall(source):
            found[name] = _COMMENT_MARKS.sub("", block).replace("{model}", cls.__name__)
        return found

    def source(self, cls: type) -> str | None:
        """The source of ``cls`` as far as its ``#:`` comments go: ``inspect.getsource(cls)``
        but for comments after its last statement (which no field follows, so none of them
        is a field's). The lines come from the class body's code object, found in the frame
        that runs the ``class`` statement; failing that, from one parse of the file."""
        try:
            file = inspect.getsourcefile(cls)
        except TypeError:
            return None
        if file is None:
            return None
        module = sys.modules.get(cls.__module__)
        lines = linecache.getlines(file, module.__dict__ if module else None)
        if not lines:
            return None
        span = _code_span(cls, file) or self._parsed_span(file, lines, cls.__qualname__)
        if span is None:
            return None
        return "".join(lines[span[0] : span[1]])

    def _parsed_span(self, file: str, lines: list[str], qualname: str) -> tuple[int, int] | None:
        if file not in self.spans:
            try:
                tree = ast.parse("".join(lines))
            except SyntaxError:
                return None
            self.spans[file] = (lines, _class_spans(tree.body, ()))
        return self.spans[file][1].get(qualname)


def _code_span(cls: type, file: str) -> tuple[int, int] | None:
    """The lines of the class statement that is creating ``cls`` (0-based start from its first
    decorator, end excluded), from its body's code object: the frame running the statement
    holds it among its constants."""
    frame: types.FrameType | None = sys._getframe(1)
    for _ in range(16):
        if frame is None:
            return None
        if frame.f_code.co_filename == file:
            for const in frame.f_code.co_consts:
                if (
                    isinstance(const, types.CodeType)
                    and const.co_qualname == cls.__qualname__
                    and const.co_name == cls.__name__
                ):
                    return const.co_firstlineno - 1, _last_line(const)
        frame = frame.f_back
    return None


def _last_line(code: types.CodeType) -> int:
    """The last source line the code covers, its nested functions and classes included."""
    last = max((end for _, end, _, _ in code.co_positions() if end is not None), default=0)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            last = max(last, _last_line(const))
    return last


def _class_spans(body: list[ast.stmt], stack: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """The lines (0-based start, end excluded; from the first decorator) of each class in the
    statements, by qualified name; the first class of a name wins, as in ``inspect.findsource``.
    Classes are statements, so only statement bodies are walked."""
    spans: dict[str, tuple[int, int]] = {}
    for node in body:
        if isinstance(node, ast.ClassDef):
            qualname = ".".join((*stack, node.name))
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            spans.setdefault(qualname, (start - 1, node.end_lineno or node.lineno))
            inner = _class_spans(node.body, (*stack, node.name))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = _class_spans(node.body, (*stack, node.name, "<locals>"))
        else:
            inner = {}
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(node, name, ()):
                    nested = (
                        child.body
                        if isinstance(child, ast.ExceptHandler | ast.match_case)
                        else [child]
                    )
                    for key, value in _class_spans(nested, stack).items():
                        inner.setdefault(key, value)
        for key, value in inner.items():
            spans.setdefault(key, value)
    return spans
