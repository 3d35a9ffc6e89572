"""Replaying migrations: the files of a project after each migration, computed in memory.

A migration's effect is a :data:`Delta` (the paths it touches); a replay applies the deltas to one
set of files in place, so a history of many migrations over many files copies nothing.
:func:`migration_delta` is strict: a deleted, changed or moved file must be there, a new one must
not, and every line change must find the lines it expects. A migration that does not fit raises
:class:`MismatchError`; it is never applied in part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from templsync._core.tree import (
    FileEntry,
    Mode,
    Tree,
    blob_digest,
    check_symlink,
    parent_dirs,
)
from templsync.errors import SymlinkError
from templsync.migrate.linediff import ChangeMismatch, apply_changes
from templsync.migrate.model import Entry, EntryKind, Migration, MigrationError, MismatchError

Delta = dict[str, FileEntry | None]
"""What one migration does to the files: each path it touches, and its entry afterwards (None:
gone)."""


@dataclass(frozen=True)
class Step:
    """One migration and what it did to the files."""

    migration: Migration
    delta: Delta


def apply_migration(tree: Tree, migration: Migration) -> Tree:
    """``tree`` with ``migration`` applied; raises :class:`MismatchError` when it does not fit."""
    files = dict(tree.items())
    apply_delta(files, migration_delta(tree, migration))
    return Tree._trusted(files)


def migration_delta(files: Mapping[str, FileEntry], migration: Migration) -> Delta:
    """What ``migration`` does to ``files``; raises :class:`MismatchError` when it does not fit.

    Written paths are checked against the files around them (no file where a folder is needed,
    no symlink leaving the root); a new file over an existing folder is left to the writer.
    """
    delta: Delta = {}

    def current(path: str) -> FileEntry | None:
        return delta[path] if path in delta else files.get(path)

    sources: dict[str, FileEntry] = {}
    for entry in migration.entries:  # deletions and move sources go first
        if entry.kind in (EntryKind.DELETE, EntryKind.MOVED):
            found = current(entry.source)
            if found is None:
                raise _mismatch(migration, entry, f"{entry.source!r} is not there to {entry.kind}")
            sources[entry.source] = found
            delta[entry.source] = None
    for entry in migration.entries:
        if entry.kind is EntryKind.DELETE:
            continue
        if entry.kind is EntryKind.MODIFY:
            old = current(entry.path)
            if old is None:
                raise _mismatch(migration, entry, f"{entry.path!r} is not there to modify")
        elif current(entry.path) is not None:
            raise _mismatch(migration, entry, f"{entry.path!r} is already there")
        else:
            old = sources.get(entry.source)
        delta[entry.path] = _new_entry(migration, entry, old)
    for entry in migration.entries:
        if entry.kind is not EntryKind.DELETE:
            _check_place(migration, entry, files, delta)
    return delta


def replay(
    migrations: Iterable[Migration],
    files: dict[str, FileEntry],
    on_skip: Callable[[MigrationError], None] | None = None,
) -> Iterator[Step]:
    """Apply each migration in turn to ``files`` (changed in place), yielding what it did.

    A migration that does not fit raises, unless ``on_skip`` is given: then it is passed the
    error and the migration is left out (the files stay as they were before it).
    """
    for migration in migrations:
        try:
            delta = migration_delta(files, migration)
        except MigrationError as err:
            if on_skip is None:
                raise
            on_skip(err)
            continue
        apply_delta(files, delta)
        yield Step(migration, delta)


def apply_delta(files: dict[str, FileEntry], delta: Delta) -> None:
    """Change ``files`` in place as ``delta`` says."""
    for path, entry in delta.items():
        if entry is None:
            files.pop(path, None)
        else:
            files[path] = entry


def _new_entry(migration: Migration, entry: Entry, old: FileEntry | None) -> FileEntry:
    mode = entry.mode or (old.mode if old is not None else Mode.REGULAR)
    if entry.whole or old is None:
        found = migration.contents.get(entry.path)
        if found is None:
            raise _mismatch(migration, entry, f"no content is kept for {entry.path!r}")
    elif not entry.changes:
        found = old
    elif entry.digest is not None:  # patched when the content is asked for, and checked then
        return FileEntry(entry.digest, mode, _Patched(migration, entry, old))
    else:
        found = FileEntry.from_bytes(_patch(migration, entry, old))
    if entry.digest is not None and found.digest != entry.digest:
        raise _mismatch(migration, entry, f"{entry.source!r} is not the file it was made from")
    return found.with_mode(mode)


def _patch(migration: Migration, entry: Entry, old: FileEntry) -> bytes:
    try:
        return apply_changes(old.content(), entry.changes, migration.model)
    except ChangeMismatch as err:
        raise _mismatch(migration, entry, f"{entry.source!r}: {err}") from err


class _Patched:
    """A file's content after an entry's line changes, computed when first asked for.

    A file changed by many migrations is a chain of these; it is walked in a loop (not by
    recursion), from the newest version already known, and only the result is kept.
    """

    __slots__ = ("_data", "entry", "migration", "old")

    def __init__(self, migration: Migration, entry: Entry, old: FileEntry) -> None:
        self.migration = migration
        self.entry = entry
        self.old = old
        self._data: bytes | None = None

    def __call__(self) -> bytes:
        if self._data is not None:
            return self._data
        chain = [self]
        below = self.old.loader
        while isinstance(below, _Patched) and below._data is None:
            chain.append(below)
            below = below.old.loader
        data = chain[-1].old.content()
        for link in reversed(chain):
            data = link._apply(data)
        self._data = data
        return data

    def _apply(self, old: bytes) -> bytes:
        try:
            data = apply_changes(old, self.entry.changes, self.migration.model)
        except ChangeMismatch as err:
            raise _mismatch(self.migration, self.entry, f"{self.entry.source!r}: {err}") from err
        if blob_digest(data) != self.entry.digest:
            raise _mismatch(
                self.migration,
                self.entry,
                "its line changes do not give the file it records (the digests differ)",
            )
        return data


def _check_place(
    migration: Migration, entry: Entry, files: Mapping[str, FileEntry], delta: Delta
) -> None:
    def there(path: str) -> bool:
        return delta[path] is not None if path in delta else path in files

    for parent in parent_dirs(entry.path):
        if there(parent):
            raise _mismatch(migration, entry, f"{parent!r} is a file, not a folder")
    written = delta[entry.path]
    if written is not None and written.is_symlink:
        after = {**files, **delta}
        try:
            check_symlink(entry.path, {p: e for p, e in after.items() if e is not None})
        except SymlinkError as err:
            raise _mismatch(migration, entry, str(err)) from err


def _mismatch(migration: Migration, entry: Entry, reason: str) -> MismatchError:
    return MismatchError(
        migration.name, f"the {entry.kind} entry for {entry.path!r} does not fit: {reason}"
    )
