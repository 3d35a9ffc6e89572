"""Differences between two Trees: added, deleted, modified, renamed, mode changes, line hunks.

Renames are found as git finds them: first exact renames (same digest), then, among the files left
added and deleted, pairs whose content is at least ``rename_threshold`` similar (git's default 50%).
"""

from __future__ import annotations

import enum
import posixpath
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from templsync._core.text import Hunk, PatchError, apply_hunks, is_binary, line_hunks, split_lines
from templsync._core.tree import FileEntry, Mode, Tree, blob_digest

DEFAULT_RENAME_THRESHOLD = 0.5
# Past this many (deleted x added) pairs, similarity is not computed (git: diff.renameLimit).
RENAME_PAIR_LIMIT = 1_000_000
_BLOCK = 64
_EMPTY_DIGEST = blob_digest(b"")


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    DELETED = "deleted"
    MODIFIED = "modified"
    RENAMED = "renamed"


@dataclass(frozen=True)
class Change:
    """One path's change. ``old``/``new`` are None for an addition/deletion."""

    kind: ChangeKind
    old_path: str | None
    new_path: str | None
    old: FileEntry | None
    new: FileEntry | None
    similarity: float = 1.0

    @property
    def path(self) -> str:
        path = self.new_path or self.old_path
        assert path is not None
        return path

    @property
    def content_changed(self) -> bool:
        return self.old is None or self.new is None or self.old.digest != self.new.digest

    @property
    def mode_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.mode != self.new.mode

    @cached_property
    def is_binary(self) -> bool:
        return any(
            e is not None and (e.is_symlink or is_binary(e.content())) for e in (self.old, self.new)
        )

    def hunks(self, context: int = 3) -> tuple[Hunk, ...]:
        """Line hunks from old to new; empty for binary files and symlinks."""
        if self.is_binary or not self.content_changed:
            return ()
        old = split_lines(self.old.content()) if self.old else ()
        new = split_lines(self.new.content()) if self.new else ()
        return line_hunks(old, new, context)


@dataclass(frozen=True)
class TreeDiff:
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of_kind(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind is kind)

    def counts(self) -> dict[str, int]:
        counted = Counter(c.kind.value for c in self.changes)
        return {k.value: counted.get(k.value, 0) for k in ChangeKind}


def diff_trees(
    a: Tree,
    b: Tree,
    *,
    renames: bool = True,
    rename_threshold: float = DEFAULT_RENAME_THRESHOLD,
    rename_empty: bool = True,
    pair_limit: int = RENAME_PAIR_LIMIT,
) -> TreeDiff:
    """Every change that turns ``a`` into ``b``, sorted by path.

    With ``rename_empty=False`` empty files are never paired as renames (git's merges do the
    same: one empty file is no evidence that another one moved). Past ``pair_limit`` (deleted x
    added) pairs, only exact renames are found.
    """
    changes: list[Change] = []
    deleted: dict[str, FileEntry] = {}
    added: dict[str, FileEntry] = {}
    a_keys, b_keys = a.keyed(), b.keyed()
    b_key = b_keys.get
    differ = [path for path, key in a_keys.items() if b_key(path) != key]
    for path in differ:
        old, new = a[path], b.get(path)
        if new is None:
            deleted[path] = old
        elif old.is_symlink != new.is_symlink:
            # A file replaced by a symlink (or back) is a deletion plus an addition, as in git.
            changes.append(Change(ChangeKind.DELETED, path, None, old, None))
            changes.append(Change(ChangeKind.ADDED, None, path, None, new))
        else:
            changes.append(Change(ChangeKind.MODIFIED, path, path, old, new))
    if len(b_keys) != len(a_keys) - len(deleted):  # otherwise b holds no path that a lacks
        for path in b_keys.keys() - a_keys.keys():
            added[path] = b[path]
    deleted = dict(sorted(deleted.items()))
    added = dict(sorted(added.items()))
    if renames and deleted and added:
        changes.extend(
            _renames(
                deleted, added, rename_threshold, rename_empty=rename_empty, pair_limit=pair_limit
            )
        )
    changes.extend(Change(ChangeKind.DELETED, p, None, e, None) for p, e in deleted.items())
    changes.extend(Change(ChangeKind.ADDED, None, p, None, e) for p, e in added.items())
    changes.sort(key=lambda c: (c.path, c.kind != ChangeKind.DELETED))
    return TreeDiff(tuple(changes))


def _renames(
    deleted: dict[str, FileEntry],
    added: dict[str, FileEntry],
    threshold: float,
    *,
    rename_empty: bool,
    pair_limit: int,
) -> list[Change]:
    """Pair deleted and added files as renames; the pairs are removed from both dicts.

    Exact renames first: files with the same content and the same file name, then the same
    content anywhere, each in path order, so the pairing does not depend on how a Tree was built.
    """
    found: list[Change] = []
    by_digest: dict[tuple[str, bool], list[str]] = {}
    for path, entry in sorted(deleted.items()):
        if rename_empty or entry.digest != _EMPTY_DIGEST:
            by_digest.setdefault((entry.digest, entry.is_symlink), []).append(path)
    for same_name in (True, False):
        for new_path, entry in sorted(added.items()):
            candidates = by_digest.get((entry.digest, entry.is_symlink))
            if not candidates or (not rename_empty and entry.digest == _EMPTY_DIGEST):
                continue
            name = posixpath.basename(new_path)
            named = (p for p in candidates if posixpath.basename(p) == name)
            old_path = next(named, None) if same_name else candidates[0]
            if old_path is None:
                continue
            candidates.remove(old_path)
            found.append(
                Change(ChangeKind.RENAMED, old_path, new_path, deleted.pop(old_path), entry)
            )
            del added[new_path]
    if deleted and added and len(deleted) * len(added) <= pair_limit:
        found.extend(_similar_renames(deleted, added, threshold))
    return found


def _similar_renames(
    deleted: dict[str, FileEntry], added: dict[str, FileEntry], threshold: float
) -> list[Change]:
    sources = {p: _Fingerprint.of(e) for p, e in deleted.items() if not e.is_symlink}
    targets = {p: _Fingerprint.of(e) for p, e in added.items() if not e.is_symlink}
    scored: list[tuple[float, bool, str, str]] = []
    for old_path, src in sources.items():
        for new_path, dst in targets.items():
            if src.binary != dst.binary:
                continue
            largest = max(src.size, dst.size)
            if largest == 0 or min(src.size, dst.size) < threshold * largest:
                continue
            score = src.common(dst) / largest
            if score >= threshold:
                same_name = posixpath.basename(old_path) == posixpath.basename(new_path)
                scored.append((score, same_name, old_path, new_path))
    scored.sort(key=lambda s: (-s[0], not s[1], s[2], s[3]))
    found: list[Change] = []
    for score, _, old_path, new_path in scored:
        if old_path not in deleted or new_path not in added:
            continue
        found.append(
            Change(
                ChangeKind.RENAMED,
                old_path,
                new_path,
                deleted.pop(old_path),
                added.pop(new_path),
                round(score, 4),
            )
        )
    return found


@dataclass(frozen=True)
class _Fingerprint:
    """How much content two files share, counted in bytes of equal lines (or 64-byte blocks)."""

    size: int
    binary: bool
    chunks: Counter[bytes]

    @classmethod
    def of(cls, entry: FileEntry) -> _Fingerprint:
        data = entry.content()
        binary = is_binary(data)
        pieces: Iterable[bytes]
        if binary:
            pieces = (data[i : i + _BLOCK] for i in range(0, len(data), _BLOCK))
        else:
            pieces = split_lines(data)
        return cls(len(data), binary, Counter(pieces))

    def common(self, other: _Fingerprint) -> int:
        small, big = sorted((self.chunks, other.chunks), key=len)
        return sum(min(n, big[chunk]) * len(chunk) for chunk, n in small.items() if chunk in big)


def apply_diff(tree: Tree, diff: TreeDiff) -> Tree:
    """Apply ``diff`` to ``tree``: text changes go through their line hunks, checked line by line.

    Raises :class:`PatchError` when the diff was not made from ``tree``.
    """
    entries = dict(tree.items())
    for change in diff.changes:
        if change.old_path is not None:
            current = entries.pop(change.old_path, None)
            if current != change.old:
                raise PatchError(
                    f"{change.old_path}: the tree does not hold the diff's old version"
                )
    for change in diff.changes:
        if change.new is None or change.new_path is None:
            continue
        entries[change.new_path] = _patched(change)
    return Tree(entries)


def _patched(change: Change) -> FileEntry:
    new = change.new
    assert new is not None
    if change.old is None or change.is_binary or not change.content_changed:
        return new
    old_lines = split_lines(change.old.content())
    data = b"".join(apply_hunks(old_lines, change.hunks()))
    return FileEntry.from_bytes(data, new.mode if new.mode != Mode.SYMLINK else Mode.REGULAR)
