"""Building a migration from two states of a project's files (pure).

Every file is compared exactly: a text file (UTF-8, no NUL byte) changes by line changes, anything
else is carried whole. ``moves`` pairs deleted paths with added ones; each pair becomes a ``moved``
entry with the line changes between the two files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from templsync._core.diff import ChangeKind, diff_trees
from templsync._core.text import is_binary
from templsync._core.tree import FileEntry, Mode, Tree
from templsync.migrate.linediff import line_changes
from templsync.migrate.model import Entry, EntryKind


@dataclass(frozen=True)
class Changes:
    """The paths that differ between two states, before moves are decided."""

    added: tuple[str, ...]
    deleted: tuple[str, ...]
    modified: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.deleted or self.modified)


def changed_paths(before: Tree, after: Tree) -> Changes:
    """Added, deleted and modified paths (a file turned symlink, or back, is modified)."""
    added, deleted, modified = set(), set(), set()
    for change in diff_trees(before, after, renames=False).changes:
        if change.kind is ChangeKind.ADDED:
            added.add(change.path)
        elif change.kind is ChangeKind.DELETED:
            deleted.add(change.path)
        else:
            modified.add(change.path)
    swapped = added & deleted
    return Changes(
        tuple(sorted(added - swapped)),
        tuple(sorted(deleted - swapped)),
        tuple(sorted(modified | swapped)),
    )


def build_entries(
    before: Tree, after: Tree, changes: Changes, moves: Mapping[str, str]
) -> tuple[tuple[Entry, ...], dict[str, FileEntry]]:
    """The entries that turn ``before`` into ``after``, and the whole-file contents they need."""
    moved_to = set(moves.values())
    entries: list[Entry] = []
    contents: dict[str, FileEntry] = {}
    for path in changes.deleted:
        if path not in moves:
            entries.append(Entry(EntryKind.DELETE, path))
    for path in changes.added:
        if path not in moved_to:
            new = after[path]
            entries.append(
                Entry(EntryKind.NEW, path, mode=_mode(None, new), whole=True, digest=new.digest)
            )
            contents[path] = new
    pairs = [(None, path) for path in changes.modified] + list(moves.items())
    for old_path, path in pairs:
        old, new = before[old_path or path], after[path]
        entries.append(_changed(old_path, path, old, new, contents))
    entries.sort(key=lambda e: (e.path, e.kind))
    return tuple(entries), contents


def _changed(
    old_path: str | None, path: str, old: FileEntry, new: FileEntry, contents: dict[str, FileEntry]
) -> Entry:
    """A ``modify`` entry (``old_path`` None) or a ``moved`` one, from the file's two versions."""
    kind = EntryKind.MODIFY if old_path is None else EntryKind.MOVED
    mode, digest = _mode(old, new), new.digest
    if old.digest == new.digest and not (old.is_symlink or new.is_symlink):
        return Entry(kind, path, old_path, mode=mode, digest=digest)
    old_text, new_text = _text(old), _text(new)
    if old_text is None or new_text is None:
        contents[path] = new
        return Entry(kind, path, old_path, whole=True, mode=mode, digest=digest)
    changes = line_changes(old_text, new_text)
    return Entry(kind, path, old_path, changes=changes, mode=mode, digest=digest)


def _mode(old: FileEntry | None, new: FileEntry) -> Mode | None:
    """The mode an entry records: only what differs from the default (regular, or unchanged)."""
    default = Mode.REGULAR if old is None else old.mode
    return None if new.mode is default else new.mode


def _text(entry: FileEntry) -> bytes | None:
    """The file's bytes when it changes line by line: UTF-8 text, not a symlink."""
    if entry.is_symlink:
        return None
    data = entry.content()
    if is_binary(data):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return data
