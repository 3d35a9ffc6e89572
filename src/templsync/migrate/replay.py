"""Replaying migrations: the files of a project after each migration, computed in memory.

:func:`apply_migration` is strict: a deleted, changed or moved file must be there, a new one must
not, and every line change must find the lines it expects. A migration that does not fit raises
:class:`MismatchError`; it is never applied in part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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


@dataclass(frozen=True)
class Step:
    """One migration with the files before and after it."""

    migration: Migration
    before: Tree
    after: Tree


def apply_migration(tree: Tree, migration: Migration) -> Tree:
    """``tree`` with ``migration`` applied; raises :class:`MismatchError` when it does not fit.

    Written paths are checked against the files around them (no file where a folder is needed,
    no symlink leaving the root); a new file over an existing folder is left to the writer.
    """
    files = dict(tree.items())
    sources: dict[str, FileEntry] = {}
    for entry in migration.entries:  # deletions and move sources go first
        if entry.kind in (EntryKind.DELETE, EntryKind.MOVED):
            found = files.pop(entry.source, None)
            if found is None:
                raise _mismatch(migration, entry, f"{entry.source!r} is not there to {entry.kind}")
            sources[entry.source] = found
    for entry in migration.entries:
        if entry.kind is EntryKind.DELETE:
            continue
        if entry.kind is EntryKind.MODIFY:
            old = files.get(entry.path)
            if old is None:
                raise _mismatch(migration, entry, f"{entry.path!r} is not there to modify")
        elif entry.path in files:
            raise _mismatch(migration, entry, f"{entry.path!r} is already there")
        else:
            old = sources.get(entry.source)
        files[entry.path] = _new_entry(migration, entry, old)
    for entry in migration.entries:
        if entry.kind is not EntryKind.DELETE:
            _check_place(migration, entry, files)
    return Tree._trusted(files)


def replay(
    migrations: Iterable[Migration],
    start: Tree | None = None,
    on_skip: Callable[[MigrationError], None] | None = None,
) -> Iterator[Step]:
    """Each migration in turn with the files before and after it, from ``start`` (default: none).

    A migration that does not fit raises, unless ``on_skip`` is given: then it is passed the
    error and the migration is left out (the files stay as they were before it).
    """
    state = start if start is not None else Tree()
    for migration in migrations:
        try:
            after = apply_migration(state, migration)
        except MigrationError as err:
            if on_skip is None:
                raise
            on_skip(err)
            continue
        yield Step(migration, state, after)
        state = after


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


def _check_place(migration: Migration, entry: Entry, files: dict[str, FileEntry]) -> None:
    for parent in parent_dirs(entry.path):
        if parent in files:
            raise _mismatch(migration, entry, f"{parent!r} is a file, not a folder")
    if files[entry.path].is_symlink:
        try:
            check_symlink(entry.path, files)
        except SymlinkError as err:
            raise _mismatch(migration, entry, str(err)) from err


def _mismatch(migration: Migration, entry: Entry, reason: str) -> MismatchError:
    return MismatchError(
        migration.name, f"the {entry.kind} entry for {entry.path!r} does not fit: {reason}"
    )
