"""What a migration is: entries that turn one state of a project's files into the next.

An entry adds a file (``new``), deletes one (``delete``), changes one (``modify``) or moves one
(``moved``, possibly changed on the way). A change to a text file is a list of
:class:`LineChange`; a binary file, a symlink or text that is not UTF-8 is carried whole, its bytes
kept beside the migration (``__files/<path>.template``). Everything here is plain data: a
migration is read, checked and replayed, never executed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from templsync._core.tree import FileEntry, Mode
from templsync.errors import UserError


class EntryKind(enum.StrEnum):
    NEW = "new"
    DELETE = "delete"
    MODIFY = "modify"
    MOVED = "moved"


class Operation(enum.StrEnum):
    REPLACE = "replace"
    INSERT = "insert"
    DELETE = "delete"


class LineModel(enum.Enum):
    """How a file is cut into lines and how a change's content is cut into lines.

    ``EXACT`` (templsync's ``format: 1``): a line keeps its ending (``\\n``, ``\\r\\n`` or none on
    the last line), and a change's content is the exact text of its lines, endings included.
    ``JOINED`` (the TypeScript tool's ``migrate.ts``): the text is split on ``\\n`` and joined
    with ``\\n``; a change's content is its lines joined with ``\\n``.
    """

    EXACT = "exact"
    JOINED = "joined"


@dataclass(frozen=True)
class LineChange:
    """Lines ``start..end`` (0-based, end excluded) of the old text replaced by ``new``.

    An insertion has ``start == end``: its lines go before old line ``start``. ``old`` is the
    text the change expects to find there (None: not checked, for files that did not record it).
    """

    operation: Operation
    start: int
    end: int
    old: bytes | None
    new: bytes


@dataclass(frozen=True)
class Entry:
    """One path's change; ``path`` is where the file is afterwards (for ``delete``: the path).

    ``whole`` entries take their content from the migration's files, not from line changes.
    ``mode`` is the file's mode afterwards when the entry sets it (None: a new file is regular,
    a changed or moved one keeps its mode). ``digest`` is the file's git blob id afterwards, when
    the migration records it: a replay then knows every file without reading or patching it, and
    checks the content against it whenever the content is asked for.
    """

    kind: EntryKind
    path: str
    old_path: str | None = None
    changes: tuple[LineChange, ...] = ()
    whole: bool = False
    mode: Mode | None = None
    digest: str | None = None

    @property
    def source(self) -> str:
        """The path the entry reads before it applies (the old path of a move)."""
        return self.old_path if self.old_path is not None else self.path


@dataclass(frozen=True)
class Migration:
    """One migration: its folder name, entries, and the whole-file contents its entries need."""

    name: str
    entries: tuple[Entry, ...]
    contents: Mapping[str, FileEntry] = field(default_factory=dict)
    model: LineModel = LineModel.EXACT

    @property
    def timestamp(self) -> str:
        return self.name.split("_", 1)[0]

    @property
    def label(self) -> str:
        """The name without its timestamp."""
        return self.name.split("_", 1)[1] if "_" in self.name else self.name


class MigrationError(UserError):
    """A migration that cannot be read or does not apply to the state it was made from.

    ``source`` is the migration's name; ``file``, when known, the file at fault relative to the
    template (``migrations/<name>/migration.json``), which the message then names instead."""

    def __init__(self, source: str, reason: str, *, file: str | None = None) -> None:
        self.source = source
        self.reason = reason
        self.file = file
        super().__init__(f"{file or source}: {reason}")


class MalformedMigrationError(MigrationError):
    """A migration file that is not a valid migration (syntax, fields, unsafe paths)."""


class MismatchError(MigrationError):
    """A migration that does not fit the files it is applied to."""


class UnsafeMigrationError(MigrationError):
    """A migration folder holding a symlink, fifo, socket or device. Always an error (never a
    warning that skips the migration): the folder is hostile, not merely broken."""
