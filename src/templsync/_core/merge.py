"""Three-way merge of Trees: one decision per file, renames followed, conflicts kept as data.

``merge3(base, ours, theirs)`` never raises on a conflict and never writes markers by itself: the
:class:`MergeResult` holds the merged Tree (a conflicted file keeps our version, or the surviving
version when one side deleted it) and one :class:`Conflict` per conflicted path. Callers turn
conflicts into git-style markers (:meth:`MergeResult.with_markers`) or ``.rej`` files
(:meth:`MergeResult.with_rejects`) when they want files on disk.

Rules that are not one file's three-way merge:

- A rename on one side is followed when the other side changed the file; a rename onto a path
  where the other side has another file is not (both files meet there as add/add).
- A file on one side where the other side has a folder moves aside to ``<path>~ours`` or
  ``<path>~theirs``, after the side whose file it is.
- A file made a symlink (or back) on one side and changed on the other is a conflict.
- The result is always a valid Tree: a symlink that would leave the root or loop among the
  merged files is left out, as a ``symlink`` conflict.
- Swapping ours and theirs mirrors every conflict (:meth:`Conflict.mirrored`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from templsync._core.diff import DEFAULT_RENAME_THRESHOLD
from templsync._core.filemerge import merge_entries
from templsync._core.moves import drop_colliding_renames, side_moves
from templsync._core.outcome import (
    Conflict,
    ConflictKind,
    MergeResult,
    Outcome,
    PathOutcome,
)
from templsync._core.tree import FileEntry, Tree, check_symlink, parent_dirs
from templsync.errors import SymlinkError

__all__ = ["Conflict", "ConflictKind", "MergeResult", "Outcome", "PathOutcome", "merge3"]


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
    outcomes: list[PathOutcome] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    placed: set[str] = field(default_factory=set)  # result paths decided by a merge, not copied

    def run(self) -> MergeResult:
        ours_moves, ours_added = side_moves(self.base, self.ours, self.threshold)
        theirs_moves, theirs_added = side_moves(self.base, self.theirs, self.threshold)
        drop_colliding_renames(self.base, (ours_moves, ours_added), (theirs_moves, theirs_added))
        touched = ours_moves.keys() | theirs_moves.keys()
        # Every other base path is the same file on all three sides: it is kept as it is, in one
        # C-level copy, and only the paths that changed somewhere are decided one by one.
        self.result = dict(self.ours.items())
        for path in touched | ours_added | {t for t in ours_moves.values() if t is not None}:
            self.result.pop(path, None)
        for path in sorted(touched):
            self._merge_known(path, ours_moves.get(path, path), theirs_moves.get(path, path))
        for path in sorted(ours_added | theirs_added):
            self._merge_added(path, path in ours_added, path in theirs_added)
        self._file_directory_conflicts()
        self._unsafe_symlinks()
        self.outcomes.sort(key=lambda o: o.path)
        self.conflicts.sort(key=lambda c: c.path)
        conflicted = {c.path for c in self.conflicts}
        unchanged = frozenset(self.base.keys() - touched - conflicted)
        return MergeResult(
            Tree._trusted(self.result), tuple(self.outcomes), tuple(self.conflicts), unchanged
        )

    def _merge_known(self, path: str, ours_path: str | None, theirs_path: str | None) -> None:
        base_e = self.base[path]
        if ours_path is None and theirs_path is None:
            self._outcome(path, Outcome.DELETED, path, None, None)
            return
        if ours_path is None or theirs_path is None:
            self._merge_deleted_on_one_side(path, ours_path, theirs_path)
            return
        ours_e, theirs_e = self.ours[ours_path], self.theirs[theirs_path]
        # The side that moved the file decides where it goes.
        if theirs_path in (ours_path, path):
            target = ours_path
        elif ours_path == path:
            target = theirs_path
        else:
            self._rename_rename(path, ours_path, theirs_path)
            return
        entry, outcome, conflict = merge_entries(target, base_e, ours_e, theirs_e)
        if conflict is not None:
            conflict = replace(
                conflict, base_path=path, ours_path=ours_path, theirs_path=theirs_path
            )
        self._place(target, entry, outcome, conflict, paths=(path, ours_path, theirs_path))

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
        paths = (path, ours_path, theirs_path)
        self._place(kept_path, kept, Outcome.CONFLICT, conflict, paths=paths)

    def _rename_rename(self, path: str, ours_path: str, theirs_path: str) -> None:
        base_e, ours_e, theirs_e = self.base[path], self.ours[ours_path], self.theirs[theirs_path]
        entry, _, content_conflict = merge_entries(ours_path, base_e, ours_e, theirs_e)
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
            mode_conflict=content_conflict.mode_conflict if content_conflict else False,
        )
        paths = (path, ours_path, theirs_path)
        self._place(ours_path, entry, Outcome.CONFLICT, conflict, paths=paths)
        theirs_entry = entry if content_conflict is None else theirs_e
        at_theirs = replace(conflict, path=theirs_path)
        self._place(theirs_path, theirs_entry, Outcome.CONFLICT, at_theirs, paths=paths)

    def _merge_added(self, path: str, in_ours: bool, in_theirs: bool) -> None:
        if in_ours and in_theirs:
            ours_e, theirs_e = self.ours[path], self.theirs[path]
            entry, outcome, conflict = merge_entries(path, None, ours_e, theirs_e)
            self._place(path, entry, outcome, conflict, paths=(None, path, path))
            return
        entry = (self.ours if in_ours else self.theirs)[path]
        outcome = Outcome.OURS if in_ours else Outcome.THEIRS
        paths = (None, path, None) if in_ours else (None, None, path)
        self._place(path, entry, outcome, None, paths=paths)

    def _place(
        self,
        path: str,
        entry: FileEntry,
        outcome: Outcome,
        conflict: Conflict | None,
        *,
        paths: tuple[str | None, str | None, str | None],
    ) -> None:
        """Put ``entry`` at ``path``.

        Every result path is decided once: renames that would meet another file at their new
        path are not followed (see :func:`_drop_colliding_renames`), and added paths are merged
        once for both sides.
        """
        assert path not in self.result, f"{path!r} placed twice"
        self.result[path] = entry
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

        The file goes to ``<path>~ours`` or ``<path>~theirs``, after the side whose tree holds
        it (``~ours~2``... when that name is taken). A conflict the file already had moves with
        it (its versions and text hunks are kept; its kind becomes file/directory). Only paths
        placed by a decision can clash: two paths identical on all sides both come from the
        base, which cannot hold a file and a folder of the same name.
        """
        for path in sorted(self.placed):
            if path not in self.result:
                continue
            for parent in parent_dirs(path):
                if parent not in self.result:
                    continue
                # One side's tree holds the file, the other the folder; never both the file.
                side = "ours" if parent in self.ours else "theirs"
                aside = self._free_name(f"{parent}~{side}")
                entry = self.result.pop(parent)
                self.result[aside] = entry
                self.placed.add(aside)
                earlier = self._conflict_at(parent)
                (placed,) = [o for o in self.outcomes if o.path == parent]
                if earlier is None:
                    earlier = Conflict(
                        parent,
                        ConflictKind.FILE_DIRECTORY,
                        self.base.get(placed.base_path) if placed.base_path else None,
                        entry if side == "ours" else None,
                        entry if side == "theirs" else None,
                        base_path=placed.base_path,
                        ours_path=parent if side == "ours" else None,
                        theirs_path=parent if side == "theirs" else None,
                    )
                self.conflicts = [c for c in self.conflicts if c.path != parent]
                self.conflicts.append(
                    replace(
                        earlier, path=aside, kind=ConflictKind.FILE_DIRECTORY, moved_from=parent
                    )
                )
                self.outcomes = [o for o in self.outcomes if o.path != parent]
                self._outcome(
                    aside, Outcome.CONFLICT, placed.base_path, placed.ours_path, placed.theirs_path
                )

    def _conflict_at(self, path: str) -> Conflict | None:
        return next((c for c in self.conflicts if c.path == path), None)

    def _free_name(self, name: str) -> str:
        """``name``, or ``name~2``, ``name~3``... : the first that is neither a file nor a folder
        in the result or in any of the three trees."""
        taken = [self.result, self.base, self.ours, self.theirs]
        candidate, n = name, 1
        while any(candidate in t for t in taken) or any(
            p.startswith(candidate + "/") for t in taken for p in t
        ):
            n += 1
            candidate = f"{name}~{n}"
        return candidate

    def _unsafe_symlinks(self) -> None:
        """Leave out of the result every symlink that, among the merged files, would leave the
        root or loop (each side's links were fine in that side's tree; together they may not be,
        e.g. ``a -> b`` added by us and ``b -> a`` by them).

        A link that is not in conflict yet becomes a symlink conflict when it is unsafe in the
        result, or in the result with every conflicted path holding our version, or holding
        theirs: so swapping the sides finds the same links. A link already in conflict is only
        taken out when the result itself cannot hold it.
        """
        if not (self.ours.has_symlinks() or self.theirs.has_symlinks()):
            # The common case: every entry of the result and of the conflicts comes from ours or
            # theirs (merged text is never a link), so with no link on either side there is none.
            return
        while True:
            unsafe_here = _unsafe_links(self.result)
            suspect = unsafe_here | _unsafe_links(self._with_versions("ours"))
            suspect |= _unsafe_links(self._with_versions("theirs"))
            changed = False
            for path in sorted(suspect):
                if self._conflict_at(path) is not None:
                    if path in unsafe_here:
                        del self.result[path]
                        changed = True
                    continue
                self._symlink_conflict(path)
                changed = True
            if not changed:
                return

    def _with_versions(self, side: str) -> dict[str, FileEntry]:
        """The result with each conflicted path holding ``side``'s version (when it has one)."""
        tree = dict(self.result)
        for c in self.conflicts:
            entry = c.ours if side == "ours" else c.theirs
            if entry is not None and c.path in tree:
                tree[c.path] = entry
        return tree

    def _symlink_conflict(self, path: str) -> None:
        self.result.pop(path, None)
        placed_here = [o for o in self.outcomes if o.path == path]
        # A link no side changed can still become unsafe through a change to the links it
        # follows: it has no outcome yet, and is the same path on every side that has it.
        placed = (
            placed_here[0]
            if placed_here
            else PathOutcome(
                path,
                Outcome.UNCHANGED,
                path if path in self.base else None,
                path if path in self.ours else None,
                path if path in self.theirs else None,
            )
        )
        self.conflicts.append(
            Conflict(
                path,
                ConflictKind.SYMLINK,
                self.base.get(placed.base_path) if placed.base_path else None,
                self.ours.get(placed.ours_path) if placed.ours_path else None,
                self.theirs.get(placed.theirs_path) if placed.theirs_path else None,
                base_path=placed.base_path,
                ours_path=placed.ours_path,
                theirs_path=placed.theirs_path,
            )
        )
        self.outcomes = [o for o in self.outcomes if o.path != path]
        self._outcome(path, Outcome.CONFLICT, *placed[2:])


def _unsafe_links(tree: dict[str, FileEntry]) -> set[str]:
    unsafe = set()
    for path, entry in tree.items():
        if entry.is_symlink:
            try:
                check_symlink(path, tree)
            except SymlinkError:
                unsafe.add(path)
    return unsafe
