"""Three-way merge of Trees: one decision per file, renames followed, conflicts kept as data.

``merge3(base, ours, theirs)`` never raises on a conflict and never writes markers by itself: the
:class:`MergeResult` holds the merged Tree (a conflicted file keeps our version, or the surviving
version when one side deleted it) and one :class:`Conflict` per conflicted path. Callers turn
conflicts into git-style markers (:meth:`MergeResult.with_markers`) or ``.rej`` files
(:meth:`MergeResult.with_rejects`) when they want files on disk.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from templsync._core.diff import DEFAULT_RENAME_THRESHOLD, ChangeKind, diff_trees
from templsync._core.text import is_binary
from templsync._core.textmerge import (
    MarkerLabels,
    Region,
    TextMerge,
    merge_text,
    render_markers,
    render_rejects,
)
from templsync._core.tree import FileEntry, Mode, Tree, parent_dirs


class Outcome(enum.StrEnum):
    """What happened to one file."""

    UNCHANGED = "unchanged"
    OURS = "ours"  # only our side changed it (or added it)
    THEIRS = "theirs"  # only their side changed it (or added it)
    BOTH_SAME = "both-same"  # both sides made the same change
    MERGED = "merged"  # both sides changed it and the changes merged cleanly
    DELETED = "deleted"  # gone from the result
    CONFLICT = "conflict"


class ConflictKind(enum.StrEnum):
    CONTENT = "content"  # both changed the same lines of a text file
    BINARY = "binary"  # both changed a binary file or symlink differently
    ADD_ADD = "add/add"  # two different files arrive at the same path
    MODIFY_DELETE = "modify/delete"  # we changed it, they deleted it
    DELETE_MODIFY = "delete/modify"  # we deleted it, they changed it
    RENAME_RENAME = "rename/rename"  # both renamed it, to different paths
    MODE = "mode"  # both changed the mode differently, contents merged
    FILE_DIRECTORY = "file/directory"  # one side's file is the other side's folder

    def mirrored(self) -> ConflictKind:
        swap = {
            ConflictKind.MODIFY_DELETE: ConflictKind.DELETE_MODIFY,
            ConflictKind.DELETE_MODIFY: ConflictKind.MODIFY_DELETE,
        }
        return swap.get(self, self)


@dataclass(frozen=True)
class Conflict:
    """A conflicted path with all three versions and, for text, the conflicting hunks."""

    path: str
    kind: ConflictKind
    base: FileEntry | None
    ours: FileEntry | None
    theirs: FileEntry | None
    base_path: str | None = None
    ours_path: str | None = None
    theirs_path: str | None = None
    text: TextMerge | None = None
    mode_conflict: bool = False

    @property
    def hunks(self) -> tuple[Region, ...]:
        return self.text.conflicts if self.text else ()

    def mirrored(self) -> Conflict:
        return replace(
            self,
            kind=self.kind.mirrored(),
            ours=self.theirs,
            theirs=self.ours,
            ours_path=self.theirs_path,
            theirs_path=self.ours_path,
            text=self.text.mirrored() if self.text else None,
        )


class PathOutcome(NamedTuple):
    path: str
    outcome: Outcome
    base_path: str | None
    ours_path: str | None
    theirs_path: str | None


@dataclass(frozen=True)
class MergeResult:
    tree: Tree
    outcomes: tuple[PathOutcome, ...]
    conflicts: tuple[Conflict, ...]
    _by_path: dict[str, Conflict] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {c.path: c for c in self.conflicts})

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def conflict_at(self, path: str) -> Conflict | None:
        return self._by_path.get(path)

    def with_markers(
        self, labels: MarkerLabels = MarkerLabels(), *, show_base: bool = False
    ) -> Tree:
        """The merged Tree with git-style markers written into conflicted text files."""
        updates: dict[str, FileEntry] = {}
        for c in self.conflicts:
            if c.text is not None and not c.text.clean and c.path in self.tree:
                data = render_markers(c.text, labels, show_base=show_base)
                updates[c.path] = FileEntry.from_bytes(data, self.tree[c.path].mode)
        return self.tree.replace(updates)

    def with_rejects(self, suffix: str = ".rej") -> Tree:
        """The merged Tree (our version of each conflicted file) with ``<path>.rej`` beside it."""
        updates: dict[str, FileEntry] = {}
        for c in self.conflicts:
            if c.text is not None and not c.text.clean and c.path in self.tree:
                updates[c.path + suffix] = FileEntry.from_bytes(render_rejects(c.text, c.path))
        return self.tree.replace(updates)


def merge3(
    base: Tree,
    ours: Tree,
    theirs: Tree,
    *,
    rename_threshold: float = DEFAULT_RENAME_THRESHOLD,
) -> MergeResult:
    """Merge the changes ``base -> ours`` and ``base -> theirs`` into one Tree."""
    return _Merger(base, ours, theirs, rename_threshold).run()


@dataclass
class _Merger:
    base: Tree
    ours: Tree
    theirs: Tree
    threshold: float
    result: dict[str, FileEntry] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # result path -> "ours" / "theirs"
    outcomes: list[PathOutcome] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    placed: set[str] = field(default_factory=set)  # result paths decided by a merge, not copied

    def run(self) -> MergeResult:
        ours_fate, ours_added = _fates(self.base, self.ours, self.threshold)
        theirs_fate, theirs_added = _fates(self.base, self.theirs, self.threshold)
        ours_get, theirs_get = self.ours.get, self.theirs.get
        for path, base_e in self.base.items():
            ours_e, theirs_e = ours_get(path), theirs_get(path)
            if (  # the common case, kept fast: the same file on all three sides
                ours_e is not None
                and theirs_e is not None
                and ours_e.digest == base_e.digest == theirs_e.digest
                and ours_e.mode == base_e.mode == theirs_e.mode
            ):
                self.result[path] = ours_e
                self.origin[path] = "ours"
                self.outcomes.append(PathOutcome(path, Outcome.UNCHANGED, path, path, path))
                continue
            self._merge_known(path, ours_fate.get(path), theirs_fate.get(path))
        for path in sorted(ours_added | theirs_added):
            self._merge_added(path, path in ours_added, path in theirs_added)
        self._file_directory_conflicts()
        self.outcomes.sort(key=lambda o: o.path)
        self.conflicts.sort(key=lambda c: c.path)
        return MergeResult(Tree._trusted(self.result), tuple(self.outcomes), tuple(self.conflicts))

    def _merge_known(self, path: str, ours_path: str | None, theirs_path: str | None) -> None:
        base_e = self.base[path]
        if ours_path is None and theirs_path is None:
            self._outcome(path, Outcome.DELETED, path, None, None)
            return
        if ours_path is None or theirs_path is None:
            self._merge_deleted_on_one_side(path, ours_path, theirs_path)
            return
        ours_e, theirs_e = self.ours[ours_path], self.theirs[theirs_path]
        if ours_path == theirs_path or theirs_path == path:
            target = ours_path
        elif ours_path == path:
            target = theirs_path
        else:
            self._rename_rename(path, ours_path, theirs_path)
            return
        entry, outcome, conflict = _merge_entries(target, base_e, ours_e, theirs_e)
        if conflict is not None:
            conflict = replace(
                conflict, base_path=path, ours_path=ours_path, theirs_path=theirs_path
            )
        side = "theirs" if outcome is Outcome.THEIRS else "ours"
        self._place(target, entry, side, outcome, conflict, (path, ours_path, theirs_path))

    def _merge_deleted_on_one_side(
        self, path: str, ours_path: str | None, theirs_path: str | None
    ) -> None:
        base_e = self.base[path]
        kept_path = ours_path or theirs_path
        assert kept_path is not None
        we_kept = ours_path is not None
        kept = (self.ours if we_kept else self.theirs)[kept_path]
        if kept == base_e and kept_path == path:
            self._outcome(path, Outcome.DELETED, path, ours_path, theirs_path)
            return
        kind = ConflictKind.MODIFY_DELETE if we_kept else ConflictKind.DELETE_MODIFY
        conflict = Conflict(
            kept_path,
            kind,
            base_e,
            kept if we_kept else None,
            None if we_kept else kept,
            base_path=path,
            ours_path=ours_path,
            theirs_path=theirs_path,
        )
        side = "ours" if we_kept else "theirs"
        self._place(
            kept_path, kept, side, Outcome.CONFLICT, conflict, (path, ours_path, theirs_path)
        )

    def _rename_rename(self, path: str, ours_path: str, theirs_path: str) -> None:
        base_e, ours_e, theirs_e = self.base[path], self.ours[ours_path], self.theirs[theirs_path]
        entry, _, content_conflict = _merge_entries(ours_path, base_e, ours_e, theirs_e)
        conflict = Conflict(
            ours_path,
            ConflictKind.RENAME_RENAME,
            base_e,
            ours_e,
            theirs_e,
            base_path=path,
            ours_path=ours_path,
            theirs_path=theirs_path,
            text=content_conflict.text if content_conflict else None,
        )
        paths = (path, ours_path, theirs_path)
        self._place(ours_path, entry, "ours", Outcome.CONFLICT, conflict, paths)
        theirs_entry = entry if content_conflict is None else theirs_e
        at_theirs = replace(conflict, path=theirs_path)
        self._place(theirs_path, theirs_entry, "theirs", Outcome.CONFLICT, at_theirs, paths)

    def _merge_added(self, path: str, in_ours: bool, in_theirs: bool) -> None:
        if in_ours and in_theirs:
            ours_e, theirs_e = self.ours[path], self.theirs[path]
            entry, outcome, conflict = _merge_entries(path, None, ours_e, theirs_e)
            self._place(path, entry, "ours", outcome, conflict, (None, path, path))
            return
        side = "ours" if in_ours else "theirs"
        entry = (self.ours if in_ours else self.theirs)[path]
        outcome = Outcome.OURS if in_ours else Outcome.THEIRS
        paths = (None, path, None) if in_ours else (None, None, path)
        self._place(path, entry, side, outcome, None, paths)

    def _place(
        self,
        path: str,
        entry: FileEntry,
        side: str,
        outcome: Outcome,
        conflict: Conflict | None,
        paths: tuple[str | None, str | None, str | None],
    ) -> None:
        """Put ``entry`` at ``path``; a path already taken by the other side is an add/add."""
        existing = self.result.get(path)
        if existing is not None and existing != entry:
            ours_e, theirs_e = (existing, entry) if side == "theirs" else (entry, existing)
            merged, _, collision = _merge_entries(path, None, ours_e, theirs_e)
            conflict = collision or Conflict(path, ConflictKind.ADD_ADD, None, ours_e, theirs_e)
            conflict = replace(conflict, kind=ConflictKind.ADD_ADD)
            self.conflicts = [c for c in self.conflicts if c.path != path]
            self.outcomes = [o for o in self.outcomes if o.path != path]
            entry, outcome = merged, Outcome.CONFLICT
        self.result[path] = entry
        self.origin[path] = side
        self.placed.add(path)
        if conflict is not None:
            self.conflicts.append(conflict)
        self._outcome(path, outcome, *paths)

    def _outcome(
        self,
        path: str,
        outcome: Outcome,
        base_path: str | None,
        ours_path: str | None,
        theirs_path: str | None,
    ) -> None:
        self.outcomes.append(PathOutcome(path, outcome, base_path, ours_path, theirs_path))

    def _file_directory_conflicts(self) -> None:
        """A path that is a file on one side and a folder on the other: move the file aside.

        Only paths placed by a decision can clash: two paths identical on all sides both come
        from the base, which cannot hold a file and a folder of the same name.
        """
        for path in sorted(self.placed):
            if path not in self.result:
                continue
            for parent in parent_dirs(path):
                if parent not in self.result:
                    continue
                side = self.origin[parent]
                aside = f"{parent}~{side}"
                entry = self.result.pop(parent)
                self.result[aside] = entry
                self.origin[aside] = side
                self.conflicts = [c for c in self.conflicts if c.path != parent]
                self.conflicts.append(
                    Conflict(
                        aside,
                        ConflictKind.FILE_DIRECTORY,
                        self.base.get(parent),
                        entry if side == "ours" else None,
                        entry if side == "theirs" else None,
                        base_path=parent if parent in self.base else None,
                        ours_path=parent if side == "ours" else None,
                        theirs_path=parent if side == "theirs" else None,
                    )
                )
                self.outcomes = [o for o in self.outcomes if o.path != parent]
                self._outcome(aside, Outcome.CONFLICT, None, None, None)


def _fates(base: Tree, side: Tree, threshold: float) -> tuple[dict[str, str], set[str]]:
    """Where each base path went on one side (absent: deleted), and the paths that side added."""
    side_keys = side.keys()
    fate = {p: p for p in base.keys() if p in side_keys}
    added: set[str] = set()
    for change in diff_trees(base, side, rename_threshold=threshold).changes:
        if change.kind is ChangeKind.DELETED:
            assert change.old_path is not None
            if change.old_path in side:  # replaced by a symlink or back: not a deletion
                continue
            fate.pop(change.old_path, None)
        elif change.kind is ChangeKind.ADDED:
            assert change.new_path is not None
            if change.new_path not in base:
                added.add(change.new_path)
        elif change.kind is ChangeKind.RENAMED:
            assert change.old_path is not None and change.new_path is not None
            fate[change.old_path] = change.new_path
    return fate, added


def _merge_entries(
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
    mode, mode_conflict = _merge_mode(base, ours, theirs)
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
    if not _is_text(base, ours, theirs):
        binary_kind = ConflictKind.BINARY if base is not None else ConflictKind.ADD_ADD
        return (
            ours,
            Outcome.CONFLICT,
            Conflict(path, binary_kind, base, ours, theirs, mode_conflict=mode_conflict),
        )
    text = merge_text(
        base.content() if base else b"",
        ours.content(),
        theirs.content(),
        refine=base is None,
    )
    merged = FileEntry.from_bytes(text.merged(), mode)
    if text.clean and not mode_conflict:
        return merged, Outcome.MERGED, None
    conflict_kind = kind if not text.clean else ConflictKind.MODE
    return (
        merged,
        Outcome.CONFLICT,
        Conflict(path, conflict_kind, base, ours, theirs, text=text, mode_conflict=mode_conflict),
    )


def _merge_mode(base: FileEntry | None, ours: FileEntry, theirs: FileEntry) -> tuple[Mode, bool]:
    if ours.mode == theirs.mode:
        return ours.mode, False
    if base is not None and base.mode == ours.mode:
        return theirs.mode, False
    if base is not None and base.mode == theirs.mode:
        return ours.mode, False
    return ours.mode, True


def _is_text(*entries: FileEntry | None) -> bool:
    return all(e is None or (not e.is_symlink and not is_binary(e.content())) for e in entries)
