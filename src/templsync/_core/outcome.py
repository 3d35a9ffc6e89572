"""What a three-way merge decided: an outcome per path, and conflicts kept as data."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

from templsync._core.region import Region
from templsync._core.textmerge import MarkerLabels, TextMerge, render_markers, render_rejects
from templsync._core.tree import FileEntry, Tree


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
    SYMLINK = "symlink"  # the merged symlink would leave the root or loop: left out of the tree

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
    moved_from: str | None = None  # file/directory: where the file was, before it moved aside

    @property
    def hunks(self) -> tuple[Region, ...]:
        return self.text.conflicts if self.text else ()

    def mirrored(self) -> Conflict:
        """The same conflict seen with ours and theirs swapped.

        Everything that belongs to a side swaps; the path stays, except for a file/directory
        conflict, whose path names the side the file came from (``a~ours`` <-> ``a~theirs``).
        """
        return replace(
            self,
            path=self._mirrored_path(),
            kind=self.kind.mirrored(),
            ours=self.theirs,
            theirs=self.ours,
            ours_path=self.theirs_path,
            theirs_path=self.ours_path,
            text=self.text.mirrored() if self.text else None,
        )

    def _mirrored_path(self) -> str:
        if self.kind is not ConflictKind.FILE_DIRECTORY or self.moved_from is None:
            return self.path
        for side, other in (("~ours", "~theirs"), ("~theirs", "~ours")):
            prefix = self.moved_from + side
            if self.path == prefix or self.path.startswith(prefix + "~"):
                return self.moved_from + other + self.path[len(prefix) :]
        return self.path


_LABELS = MarkerLabels()


class PathOutcome(NamedTuple):
    path: str
    outcome: Outcome
    base_path: str | None
    ours_path: str | None
    theirs_path: str | None


@dataclass(frozen=True)
class MergeResult:
    """The merged Tree, the conflicts, and a decision for every path.

    ``decided`` holds the paths something happened to; ``unchanged`` the base paths that are the
    same file on all three sides. ``outcomes`` lists both, sorted by path.
    """

    tree: Tree
    decided: tuple[PathOutcome, ...]
    conflicts: tuple[Conflict, ...]
    unchanged: frozenset[str] = frozenset()
    _by_path: dict[str, Conflict] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {c.path: c for c in self.conflicts})

    @cached_property
    def outcomes(self) -> tuple[PathOutcome, ...]:
        same = (PathOutcome(p, Outcome.UNCHANGED, p, p, p) for p in self.unchanged)
        return tuple(sorted((*self.decided, *same), key=lambda o: o.path))

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def conflict_at(self, path: str) -> Conflict | None:
        return self._by_path.get(path)

    def with_markers(self, labels: MarkerLabels = _LABELS, *, show_base: bool = False) -> Tree:
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
