"""SQLAlchemy 2.0 (and SQLModel) models read into :class:`ModelSpec` values, through ``inspect()``.

Every mapped class the model modules hold is read from its mapper, column by column, without a
database:

- the type from the column's type (a ``TypeDecorator`` by its ``impl``), ``Enum`` before
  ``String`` (an enum is a string type) and ``Float`` before ``Numeric``; ``String`` length,
  ``Numeric`` precision and scale (``asdecimal=False`` is a float);
- nullable from the column; a scalar default as the value, a callable one (``uuid4``, ``dict``)
  as the factory when it is importable and takes no argument, a SQL expression, a server default
  or a context-taking callable as a database default;
- an autoincrement integer primary key, and a column with ``onupdate``, are read-only;
- ranges from ``CheckConstraint`` s the table states (``price >= 0``, ``qty BETWEEN 1 AND 9``,
  joined with ``AND``), and for SQLModel from its fields' ``ge``/``le``/``gt``/``lt``,
  ``min_length``/``max_length`` and ``pattern``;
- the description from the column's ``comment``, else its ``doc``, else (SQLModel) the field's
  ``description``.

This module imports SQLAlchemy: it is loaded only when the ``sqlalchemy`` adapter is used.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import CheckConstraint, types
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.exc import UnmappedClassError

from templsync.schema.adapter import Loaded, import_modules, module_classes, sorted_models
from templsync.schema.model import (
    NO_DEFAULT,
    Bounds,
    Default,
    DefaultKind,
    FieldSpec,
    Kind,
    ModelsError,
    ModelSpec,
)
from templsync.schema.pyvalue import expr_of, ref_of

_NUMBER = r"-?\d+(?:\.\d+)?"
_COMPARISON = re.compile(
    rf"^\(?\s*(?:\w+\.)?(\w+)\s*(>=|<=|>|<)\s*({_NUMBER})\s*\)?$|"
    rf"^\(?\s*({_NUMBER})\s*(>=|<=|>|<)\s*(?:\w+\.)?(\w+)\s*\)?$"
)
_BETWEEN = re.compile(
    rf"^\(?\s*(?:\w+\.)?(\w+)\s+BETWEEN\s+({_NUMBER})\s+AND\s+({_NUMBER})\s*\)?$", re.IGNORECASE
)
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}
_BOUND = {">=": "ge", "<=": "le", ">": "gt", "<": "lt"}


class SQLAlchemyAdapter:
    """The ``sqlalchemy`` adapter (SQLModel's ``table=True`` classes are SQLAlchemy models)."""

    name = "sqlalchemy"

    def load(self, modules: Sequence[str]) -> Loaded:
        _forget_stale_sqlmodel()
        imported = import_modules(modules)
        mappers: list[Mapper[Any]] = []
        for cls in module_classes(imported):
            mapper: object = sa_inspect(cls, raiseerr=False)
            if isinstance(mapper, Mapper) and mapper.class_ is cls:
                mappers.append(mapper)
        tables = {m.local_table: m.class_.__name__ for m in mappers}
        for known in mappers:
            for other in known.registry.mappers:
                tables.setdefault(other.local_table, other.class_.__name__)
        try:
            specs = [_model(m, tables) for m in mappers]
        except ModelsError:
            raise
        except Exception as e:  # a mapper that cannot be configured (a bad relationship ...)
            raise ModelsError(
                f"reading the SQLAlchemy models failed: {type(e).__name__}: {e}"
            ) from e
        models = sorted_models(specs, modules)
        return Loaded(models, {m.class_.__name__: m.class_ for m in mappers})

    def instance(self, cls: type, values: Mapping[str, object]) -> object:
        return cls(**values)


def _forget_stale_sqlmodel() -> None:
    """Empty SQLModel's one shared registry and metadata when every class in them is stale.

    SQLModel puts every table of every import in one ``MetaData``: importing the model modules
    again (the next regeneration of ``schema watch``) would find their tables defined. Once the
    modules that defined them are forgotten (:mod:`templsync.schema.imports`), nothing uses
    those tables any more. Tables of modules still loaded are never touched.
    """
    main = sys.modules.get("sqlmodel.main")
    if main is None:
        return
    registry = main.default_registry
    try:
        classes = [m.class_ for m in registry.mappers]
    except UnmappedClassError:  # a class whose mapping failed half-way: nothing to keep
        classes = []
    # Classes already collected are gone from the registry (it holds them weakly) while their
    # tables stay in the metadata: the tables are cleared even when no class is left.
    if any(_alive(cls) for cls in classes):
        return
    registry.dispose()
    main.SQLModel.metadata.clear()


def _alive(cls: type) -> bool:
    module = sys.modules.get(cls.__module__)
    return module is not None and getattr(module, cls.__name__, None) is cls


def _model(mapper: Any, tables: Mapping[Any, str]) -> ModelSpec:
    cls = mapper.class_
    checks = _check_bounds(mapper.local_table)
    fields: list[FieldSpec] = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if not hasattr(column, "table"):  # a column_property() over an expression
            continue
        spec = _field(cls, prop.key, column, tables)
        if column.name in checks:
            spec = replace(spec, bounds=_merge(spec.bounds, checks[column.name]))
        fields.append(spec)
    doc = mapper.local_table.comment
    return ModelSpec(cls.__name__, cls.__module__, tuple(fields), doc)


def _field(cls: type, key: str, column: Any, tables: Mapping[Any, str]) -> FieldSpec:
    kind, bounds, enum, choices = _type(cls, key, column.type)
    pydantic_field = _pydantic_field(cls, key)
    if pydantic_field is not None:
        bounds = _merge(bounds, _pydantic_bounds(pydantic_field))
    generated = column.primary_key and column.table.autoincrement_column is column
    foreign = next(iter(column.foreign_keys), None)
    description = column.comment or column.doc
    if description is None and pydantic_field is not None:
        description = pydantic_field.description
    return FieldSpec(
        name=key,
        kind=kind,
        nullable=bool(column.nullable) and not column.primary_key,
        default=_default(column),
        bounds=bounds,
        description=description,
        primary_key=bool(column.primary_key),
        read_only=bool(generated or column.onupdate is not None),
        enum=enum,
        choices=choices,
        foreign_key=tables.get(foreign.column.table) if foreign is not None else None,
    )


def _type(cls: type, key: str, sa_type: Any) -> tuple[Kind, Bounds, Any, tuple[str, ...]]:
    """The kind of ``sa_type`` (a ``TypeDecorator`` other than the ones known by its ``impl``)."""
    found = _known_type(sa_type)
    while found is None and _unwrappable(sa_type):
        sa_type = sa_type.impl_instance
        found = _known_type(sa_type)
    if found is None:
        raise ModelsError(
            f"{cls.__module__}.{cls.__name__}.{key}: the column type {sa_type!r} has no schema "
            f"type here. Leave the field out with [tool.templsync.schema.options.{cls.__name__}] "
            f'exclude = ["{key}"].'
        )
    return found


def _unwrappable(sa_type: Any) -> bool:
    return isinstance(sa_type, types.TypeDecorator) and not isinstance(sa_type, types.PickleType)


_SIMPLE: tuple[tuple[type, Kind], ...] = (
    (types.Boolean, Kind.BOOL),
    (types.Integer, Kind.INT),
    (types.Float, Kind.FLOAT),
    (types.Interval, Kind.TIMEDELTA),  # an Interval is a TypeDecorator over DateTime
    (types.DateTime, Kind.DATETIME),
    (types.Date, Kind.DATE),
    (types.Time, Kind.TIME),
    (types.JSON, Kind.JSON),
    (types.LargeBinary, Kind.BYTES),
)


def _known_type(sa_type: Any) -> tuple[Kind, Bounds, Any, tuple[str, ...]] | None:
    if isinstance(sa_type, types.PickleType):  # any Python object, stored as bytes
        return None
    if isinstance(sa_type, types.Enum):  # before String: an Enum is a String
        enum_class = sa_type.enum_class
        if enum_class is not None:
            ref = ref_of(enum_class)
            if ref is not None:
                return Kind.ENUM, Bounds(), ref, ()
            return Kind.CHOICE, Bounds(), None, tuple(str(m.value) for m in enum_class)
        return Kind.CHOICE, Bounds(), None, tuple(sa_type.enums)
    for sa_class, kind in _SIMPLE:
        if isinstance(sa_type, sa_class):
            return kind, Bounds(), None, ()
    if isinstance(sa_type, types.Numeric):  # after Float: a Float is a Numeric
        if not sa_type.asdecimal:
            return Kind.FLOAT, Bounds(), None, ()
        digits = Bounds(max_digits=sa_type.precision, decimal_places=sa_type.scale)
        return Kind.DECIMAL, digits, None, ()
    if isinstance(sa_type, types.Uuid):
        return (Kind.UUID if sa_type.as_uuid else Kind.STR), Bounds(), None, ()
    if isinstance(sa_type, types.String):
        return Kind.STR, Bounds(max_length=sa_type.length), None, ()
    return None


def _default(column: Any) -> Default:
    default = column.default
    if default is not None:
        if default.is_scalar:
            literal = expr_of(default.arg)
            if literal is None:
                return Default(DefaultKind.DATABASE)
            return Default(DefaultKind.VALUE, literal)
        if default.is_callable:
            fn = getattr(default, "_fn", None) or getattr(default.arg, "__wrapped__", default.arg)
            ref = ref_of(fn) if _takes_no_arguments(fn) else None
            if ref is None:
                return Default(DefaultKind.DATABASE)
            return Default(DefaultKind.FACTORY, factory=ref)
        return Default(DefaultKind.DATABASE)  # a SQL expression or a sequence
    if column.server_default is not None:
        return Default(DefaultKind.DATABASE)
    return NO_DEFAULT


def _takes_no_arguments(fn: Any) -> bool:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return True  # a C function (dict, list): called with no arguments by SQLAlchemy too
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def _pydantic_field(cls: type, key: str) -> Any:
    """The SQLModel field of ``cls`` named ``key`` (None: not a SQLModel class)."""
    fields = getattr(cls, "model_fields", None)
    return fields.get(key) if isinstance(fields, dict) else None


def _pydantic_bounds(info: Any) -> Bounds:
    found: dict[str, Any] = {}
    for item in getattr(info, "metadata", ()):
        for name in ("ge", "le", "gt", "lt", "min_length", "max_length", "pattern"):
            value = getattr(item, name, None)
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                found[name] = value
    numbers = {k: repr(found[k]) if k in found else None for k in ("ge", "le", "gt", "lt")}
    return Bounds(
        max_length=found.get("max_length"),
        min_length=found.get("min_length"),
        pattern=found.get("pattern"),
        ge=numbers["ge"],
        le=numbers["le"],
        gt=numbers["gt"],
        lt=numbers["lt"],
    )


def _merge(first: Bounds, second: Bounds) -> Bounds:
    """``first`` with every bound ``second`` states."""
    changes = {k: v for k, v in vars(second).items() if v is not None}
    return replace(first, **changes)


def _check_bounds(table: Any) -> dict[str, Bounds]:
    """Ranges the table's check constraints state, by column name."""
    found: dict[str, dict[str, str]] = {}
    for constraint in table.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        text = str(constraint.sqltext.compile(compile_kwargs={"literal_binds": True}))
        for part in _conjuncts(text):
            _read_check(part, found)
    return {
        column: Bounds(ge=b.get("ge"), le=b.get("le"), gt=b.get("gt"), lt=b.get("lt"))
        for column, b in found.items()
    }


def _conjuncts(text: str) -> list[str]:
    """The parts of ``a AND b AND c``, a ``BETWEEN x AND y`` kept whole."""
    parts: list[str] = []
    for token in re.split(r"\s+AND\s+", text.strip(), flags=re.IGNORECASE):
        if parts and re.search(rf"\bBETWEEN\s+{_NUMBER}$", parts[-1], re.IGNORECASE):
            parts[-1] = f"{parts[-1]} AND {token}"
        else:
            parts.append(token)
    return [p.strip() for p in parts]


def _read_check(part: str, found: dict[str, dict[str, str]]) -> None:
    between = _BETWEEN.match(part)
    if between:
        column, low, high = between.groups()
        found.setdefault(column, {}).update(ge=low, le=high)
        return
    match = _COMPARISON.match(part)
    if match is None:
        return
    if match.group(1):
        column, op, number = match.group(1), match.group(2), match.group(3)
    else:
        number, op, column = match.group(4), _FLIP[match.group(5)], match.group(6)
    found.setdefault(column, {})[_BOUND[op]] = number
