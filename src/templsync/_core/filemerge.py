"""Merging one file's three versions: identical sides, one side changed, modes, text, binary."""

from __future__ import annotations

from templsync._core.outcome import Conflict, ConflictKind, Outcome
from templsync._core.text import is_binary
from templsync._core.textmerge import merge_text
from templsync._core.tree import FileEntry, Mode


def merge_entries(
    path: str, base: FileEntry | None, ours: FileEntry, theirs: FileEntry
) -> tuple[FileEntry, Outcome, Conflict | None]:
    """Merge one file's three versions (``base`` None: added on both sides)."""
    if ours == theirs:
        if base == ours:
            return ours, Outcome.UNCHANGED, None
        return ours, Outcome.BOTH_SAME, None
    if base == ours:
        return theirs, Outcome.THEIRS, None
    if base == theirs:
        return ours, Outcome.OURS, None
    if len({e.is_symlink for e in (base, ours, theirs) if e is not None}) > 1:
        # A file made a symlink (or back) on one side and changed on the other: nothing to merge.
        kind = ConflictKind.BINARY if base is not None else ConflictKind.ADD_ADD
        return ours, Outcome.CONFLICT, Conflict(path, kind, base, ours, theirs)
    mode, mode_conflict = merge_mode(base, ours, theirs)
    kind = ConflictKind.CONTENT if base is not None else ConflictKind.ADD_ADD
    if ours.digest == theirs.digest:
        data_entry: FileEntry | None = ours
    elif base is not None and ours.digest == base.digest:
        data_entry = theirs
    elif base is not None and theirs.digest == base.digest:
        data_entry = ours
    else:
        data_entry = None
    if data_entry is not None:
        entry = data_entry.with_mode(mode)
        if mode_conflict:
            return (
                entry,
                Outcome.CONFLICT,
                Conflict(path, ConflictKind.MODE, base, ours, theirs, mode_conflict=True),
            )
        return entry, Outcome.MERGED, None
    if not is_text(base, ours, theirs):
        binary_kind = ConflictKind.BINARY if base is not None else ConflictKind.ADD_ADD
        return (
            ours,
            Outcome.CONFLICT,
            Conflict(path, binary_kind, base, ours, theirs, mode_conflict=mode_conflict),
        )
    text = merge_text(base.content() if base else b"", ours.content(), theirs.content())
    merged = FileEntry.from_bytes(text.merged(), mode)
    if text.clean and not mode_conflict:
        return merged, Outcome.MERGED, None
    conflict_kind = kind if not text.clean else ConflictKind.MODE
    return (
        merged,
        Outcome.CONFLICT,
        Conflict(path, conflict_kind, base, ours, theirs, text=text, mode_conflict=mode_conflict),
    )


def merge_mode(base: FileEntry | None, ours: FileEntry, theirs: FileEntry) -> tuple[Mode, bool]:
    if ours.mode == theirs.mode:
        return ours.mode, False
    if base is not None and base.mode == ours.mode:
        return theirs.mode, False
    if base is not None and base.mode == theirs.mode:
        return ours.mode, False
    return ours.mode, True


def is_text(*entries: FileEntry | None) -> bool:
    return all(e is None or (not e.is_symlink and not is_binary(e.content())) for e in entries)
