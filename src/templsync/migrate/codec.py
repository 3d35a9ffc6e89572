"""Migrations as files: ``migration.json`` (``format: 1``) and the older ``migrate.ts``.

:func:`encode` gives the files of a migration folder; :func:`decode` reads a ``migration.json``
document and :func:`decode_legacy` the object a ``migrate.ts`` exports (parsed as data by
:mod:`templsync.migrate.tsliteral`, never run). Whole-file contents live in
``__files/<path>.template`` and are read through ``load``. Every path is checked: relative, no
``..``, inside the project.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from templsync._core.tree import FileEntry, Mode, normalize_path
from templsync._limits import LimitError, parse_within
from templsync.errors import InvalidPathError
from templsync.migrate.model import (
    Entry,
    EntryKind,
    LineChange,
    LineModel,
    MalformedMigrationError,
    Migration,
    Operation,
)

FORMAT = 1
MIGRATION_FILE = "migration.json"
LEGACY_FILE = "migrate.ts"
FILES_DIR = "__files"
TEMPLATE_SUFFIX = ".template"

_MODES = {"regular": Mode.REGULAR, "executable": Mode.EXECUTABLE, "symlink": Mode.SYMLINK}
_MODE_NAMES = {mode: name for name, mode in _MODES.items()}

Loader = Callable[[str, str | None], FileEntry | None]
"""``__files/<path>.template`` of the migration as an entry (None: the file is missing). Given the
digest the migration records for it, the content may be read only when asked for (and checked)."""

_DIGEST = re.compile(r"^[0-9a-f]{40}$")
_KINDS = {kind.value: kind for kind in EntryKind}
_OPERATIONS = {operation.value: operation for operation in Operation}
_PLAIN_PATH = re.compile(r"[^/.\0][^/\0:]*(?:/[^/.\0][^/\0]*)*\Z")
"""A path that is normal as it is: relative, no empty, ``.`` or ``..`` part (a part starting with
a dot, or a ``:`` in the first part, takes the slow way through ``normalize_path``)."""


def content_path(path: str) -> str:
    """Where a file's whole content is kept, relative to its migration folder."""
    return f"{FILES_DIR}/{path}{TEMPLATE_SUFFIX}"


def encode(migration: Migration, created_at: str) -> dict[str, bytes]:
    """The files of the migration's folder, by path relative to it."""
    entries = {entry.path: _encode_entry(entry) for entry in migration.entries}
    document: dict[str, object] = {
        "format": FORMAT,
        "name": migration.label,
        "createdAt": created_at,
        "entries": entries,
    }
    files = {MIGRATION_FILE: (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()}
    for path, content in migration.contents.items():
        files[content_path(path)] = content.content()
    return files


def _encode_entry(entry: Entry) -> dict[str, Any]:
    if entry.kind is EntryKind.MOVED:
        out: dict[str, Any] = {"type": "moved", "oldPath": entry.old_path, "newPath": entry.path}
    else:
        out = {"type": entry.kind.value, "path": entry.path}
    if entry.mode is not None:
        out["mode"] = _MODE_NAMES[entry.mode]
    if entry.digest is not None:
        out["digest"] = entry.digest
    if entry.whole and entry.kind is not EntryKind.NEW:
        out["binary"] = True
    elif entry.changes:
        out["diffs"] = [_encode_change(c) for c in entry.changes]
    return out


def _encode_change(change: LineChange) -> dict[str, Any]:
    out: dict[str, Any] = {"operation": change.operation.value, "startLine": change.start + 1}
    if change.operation is Operation.INSERT:
        out["afterLine"] = change.start
    else:
        out["endLine"] = change.end
        out["oldContent"] = (change.old or b"").decode("utf-8")
    if change.operation is not Operation.DELETE:
        out["newContent"] = change.new.decode("utf-8")
    return out


def decode(name: str, text: str, load: Loader, file: str | None = None) -> Migration:
    """The migration of folder ``name`` from its ``migration.json`` text; errors name ``file``
    (default ``<name>/migration.json``)."""
    reader = _Reader(name, LineModel.EXACT, load, file or f"{name}/{MIGRATION_FILE}")
    try:  # every value is checked against the format below: only depth Python cannot parse
        document = parse_within(lambda: json.loads(text), check=False)
    except json.JSONDecodeError as err:
        raise reader.fail(
            f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
        ) from err
    except LimitError as err:
        raise reader.fail(str(err)) from err
    if not isinstance(document, dict):
        raise reader.fail("the document must be a JSON object")
    if "format" not in document:
        raise reader.fail(f'no "format" field; a migration of this kind has "format": {FORMAT}')
    version = document["format"]
    if version != FORMAT:
        raise reader.fail(
            f"format {version!r} is not one this templsync reads (it reads format {FORMAT}); "
            "upgrade templsync"
        )
    return reader.migration(document.get("entries"))


def decode_legacy(name: str, data: object, load: Loader, file: str | None = None) -> Migration:
    """The migration of folder ``name`` from the object its ``migrate.ts`` exports; errors name
    ``file`` (default ``<name>/migrate.ts``)."""
    reader = _Reader(name, LineModel.JOINED, load, file or f"{name}/{LEGACY_FILE}")
    return reader.migration(data)


class _Reader:
    def __init__(self, name: str, model: LineModel, load: Loader, file: str) -> None:
        self.name = name
        self.model = model
        self.load = load
        self.file = file

    def fail(self, reason: str) -> MalformedMigrationError:
        return MalformedMigrationError(self.name, reason, file=self.file)

    def migration(self, entries: object) -> Migration:
        if not isinstance(entries, Mapping):
            raise self.fail("its entries must be an object keyed by path")
        decoded = tuple(self.entry(str(key), value) for key, value in entries.items())
        targets = [e.path for e in decoded if e.kind is not EntryKind.DELETE]
        sources = [e.source for e in decoded if e.kind in (EntryKind.DELETE, EntryKind.MOVED)]
        for paths, what in ((targets, "written"), (sources, "removed")):
            twice = sorted(p for p, n in Counter(paths).items() if n > 1)
            if twice:
                raise self.fail(f"{twice[0]!r} is {what} by two entries")
        contents: dict[str, FileEntry] = {}
        for entry in decoded:
            if entry.whole:
                found = self.load(entry.path, entry.digest)
                if found is None:
                    raise self.fail(
                        f"the content of {entry.path!r} is missing: "
                        f"{FILES_DIR}/{entry.path}{TEMPLATE_SUFFIX} does not exist"
                    )
                contents[entry.path] = found
        return Migration(self.name, decoded, contents, self.model)

    def entry(self, key: str, value: object) -> Entry:
        if not isinstance(value, dict):
            raise self.fail(f"the entry {key!r} must be an object")
        kind_name = value.get("type")
        kind = _KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            raise self.fail(
                f"the entry {key!r} has type {kind_name!r}; use one of new, delete, modify, moved"
            )
        if kind is EntryKind.MOVED:
            old_path = self.path(key, value.get("oldPath"), "oldPath")
            path = self.path(key, value.get("newPath"), "newPath")
        else:
            old_path = None
            path = self.path(key, value.get("path", key), "path")
        mode = self.mode(key, value.get("mode"))
        digest = self.digest(key, value.get("digest"))
        binary = value.get("binary", False) is True
        if kind is EntryKind.NEW or binary:
            return Entry(kind, path, old_path, whole=True, mode=mode, digest=digest)
        diffs = value.get("diffs", [])
        if kind is EntryKind.DELETE or not diffs:
            return Entry(kind, path, old_path, mode=mode, digest=digest)
        if not isinstance(diffs, list):
            raise self.fail(f"the diffs of {key!r} must be a list")
        changes = tuple(self.change(key, d) for d in diffs)
        return Entry(kind, path, old_path, changes, mode=mode, digest=digest)

    def digest(self, key: str, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, str) and _DIGEST.match(value):
            return value
        raise self.fail(f"the entry {key!r} has digest {value!r}; a digest is 40 hex digits")

    def path(self, key: str, value: object, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(f"the entry {key!r} needs {field} as a string")
        if _PLAIN_PATH.match(value):  # the common case, already normal
            return value
        try:
            return normalize_path(value)
        except InvalidPathError as err:
            raise self.fail(f"the entry {key!r} has an unsafe {field}: {err.reason}") from None

    def mode(self, key: str, value: object) -> Mode | None:
        if value is None:
            return None
        if isinstance(value, str) and value in _MODES:
            return _MODES[value]
        raise self.fail(f"the entry {key!r} has mode {value!r}; use regular, executable, symlink")

    def change(self, key: str, value: object) -> LineChange:
        if not isinstance(value, dict):
            raise self.fail(f"a diff of {key!r} must be an object")
        name = value.get("operation")
        operation = _OPERATIONS.get(name) if isinstance(name, str) else None
        if operation is None:
            raise self.fail(
                f"a diff of {key!r} has operation {name!r}; use replace, insert or delete"
            )
        if operation is Operation.INSERT:
            after = value.get("afterLine")
            start = self.number(key, after if after is not None else self.line(key, value) - 1)
            end = start
        else:
            start = self.line(key, value) - 1
            end = self.number(key, value.get("endLine", start + 1))
            if end < start:
                raise self.fail(f"a diff of {key!r} ends (line {end}) before it starts")
        old = self.text(key, value.get("oldContent"))
        new = self.text(key, value.get("newContent")) or b""
        return LineChange(operation, start, end, old, new)

    def line(self, key: str, value: Mapping[str, object]) -> int:
        line = self.number(key, value.get("startLine"))
        if line < 1:
            raise self.fail(f"a diff of {key!r} has startLine {line}; lines count from 1")
        return line

    def number(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"a diff of {key!r} has {value!r} where a line number belongs")
        return value

    def text(self, key: str, value: object) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"a diff of {key!r} has content that is not a string")
        return value.encode("utf-8", "surrogatepass")
