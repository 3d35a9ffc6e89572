"""What a model is, for schema generation: frozen values that no ORM and no Pydantic appear in.

An adapter reads an ORM's classes into :class:`ModelSpec` values; the generator reads only these.
Rules the values keep:

- a field's ``kind`` is the Python type its values have; constraints are the ones the model states
  (length, digits, ranges), never guessed;
- ``default`` says how a value comes when a client leaves the field out: nothing (required),
  a literal, a factory called each time, or the database (``DATABASE``: may be omitted, and the
  application must leave it out of the insert, e.g. ``model_dump(exclude_unset=True)``);
- ``read_only`` fields (a generated primary key, ``auto_now`` timestamps) appear in responses only;
- a foreign key is the column that holds the related row's key (``author_id``), never the related
  object: schemas are flat, one plain class per schema;
- an importable object the schema must name (an enum class, a default factory) is a :class:`Ref`
  (module + qualified name); a literal is Python source text plus the refs it uses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from templsync.errors import UserError


class Kind(enum.StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    TIMEDELTA = "timedelta"
    UUID = "uuid"
    JSON = "json"
    BYTES = "bytes"
    ENUM = "enum"  # values of an importable enum class (``Field.enum``)
    CHOICE = "choice"  # one of fixed strings, no enum class (``Field.choices``)


@dataclass(frozen=True, order=True)
class Ref:
    """An importable object: ``module`` and its qualified name in it (``datetime.now``)."""

    module: str
    name: str


@dataclass(frozen=True)
class Expr:
    """A default value as Python source, with the objects the source names (``refs``).

    The source names each ref as ``{0}``, ``{1}``... in the order of ``refs``; the generator
    fills in the name the ref is imported as.
    """

    source: str
    refs: tuple[Ref, ...] = ()


class DefaultKind(enum.StrEnum):
    NONE = "none"  # required, unless the field is nullable
    VALUE = "value"  # a literal (``Default.literal``)
    FACTORY = "factory"  # a callable with no arguments (``Default.factory``)
    DATABASE = "database"  # the database or the ORM fills it in: may be omitted


@dataclass(frozen=True)
class Default:
    kind: DefaultKind = DefaultKind.NONE
    literal: Expr | None = None
    factory: Ref | None = None


NO_DEFAULT = Default()


@dataclass(frozen=True)
class Bounds:
    """Constraints on a value, as Pydantic's ``Field`` names them (None: not constrained).

    ``ge``/``le``/``gt``/``lt`` are Python source of numbers (``"0"``, ``"9.5"``), kept as text so
    a value is written back exactly as the model stated it."""

    max_length: int | None = None
    min_length: int | None = None
    ge: str | None = None
    le: str | None = None
    gt: str | None = None
    lt: str | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One column of a model, named as the schema names it (``author_id`` for a foreign key)."""

    name: str
    kind: Kind
    nullable: bool = False
    default: Default = NO_DEFAULT
    bounds: Bounds = Bounds()
    description: str | None = None
    primary_key: bool = False
    read_only: bool = False
    enum: Ref | None = None
    choices: tuple[str, ...] = ()
    foreign_key: str | None = None  # the related model's name, for a key column


@dataclass(frozen=True)
class ModelSpec:
    """One model: its class name, the module it is defined in, a description, its fields."""

    name: str
    module: str
    fields: tuple[FieldSpec, ...]
    description: str | None = None

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


@dataclass(frozen=True)
class ModelOptions:
    """Per-model options from the configuration (``[tool.templsync.schema.options.<Model>]``).

    ``exclude`` drops fields from every schema; ``include`` (when given) keeps only those;
    ``read_only`` moves fields out of the input schemas; ``extra`` adds input fields
    (name -> annotation source) to Create (required) and Update (optional).
    """

    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] | None = None
    read_only: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()


class SchemaError(UserError):
    """A schema-sync problem a person can fix: configuration, models, the files involved."""


class ModelsError(SchemaError):
    """The model modules could not be imported or read."""
