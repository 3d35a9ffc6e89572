"""Plans: the writes, deletions and mode changes that turn the files on disk into a target Tree.

A Plan remembers what it expects to find at each path (``old``), so the writer can refuse to apply
it when the folder changed after it was read. It may also name empty folders to make (a Tree
holds files only; a copy of a template makes the template's empty folders): the writer creates
those that are missing, and a folder a plan creates is never one it removes as emptied.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from templsync._core.tree import FileEntry, Tree


class OpKind(enum.StrEnum):
    WRITE = "write"  # create or replace a file or symlink
    DELETE = "delete"
    CHMOD = "chmod"  # same content, executable bit changed


@dataclass(frozen=True)
class PlanOp:
    kind: OpKind
    path: str
    old: FileEntry | None  # what is expected on disk now (None: nothing)
    new: FileEntry | None  # what will be there (None: nothing)

    @property
    def label(self) -> str:
        if self.kind is OpKind.WRITE:
            return "create" if self.old is None else "update"
        return self.kind.value


@dataclass(frozen=True)
class Plan:
    ops: tuple[PlanOp, ...]
    folders: tuple[str, ...] = ()
    """Folders to make (with their parents) that no written file implies, sorted."""

    def __bool__(self) -> bool:
        return bool(self.ops or self.folders)

    def __len__(self) -> int:
        return len(self.ops)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(op.path for op in self.ops)

    def counts(self) -> dict[str, int]:
        counted = Counter(op.label for op in self.ops)
        return {k: counted.get(k, 0) for k in ("create", "update", "delete", "chmod")}

    def summary(self) -> str:
        parts = [f"{n} {label}" for label, n in self.counts().items() if n]
        if self.folders:
            parts.append(f"{len(self.folders)} folder(s) made")
        return ", ".join(parts) if parts else "nothing to do"


def make_plan(current: Mapping[str, FileEntry], target: Tree, folders: Iterable[str] = ()) -> Plan:
    """The operations that turn ``current`` into ``target``: deletions first, each group by path.

    ``current`` is what the disk holds, read as it is (a :class:`Tree`, or the entries a write
    replaces, a link among them leaving the folder); ``target`` is valid.

    ``folders`` are empty folders to make as well (those missing on disk, as the caller found).
    """
    deletes: list[PlanOp] = []
    others: list[PlanOp] = []
    for path, old in current.items():
        new = target.get(path)
        if new is None:
            deletes.append(PlanOp(OpKind.DELETE, path, old, None))
        elif new == old:
            continue
        elif new.digest == old.digest and not new.is_symlink and not old.is_symlink:
            others.append(PlanOp(OpKind.CHMOD, path, old, new))
        else:
            others.append(PlanOp(OpKind.WRITE, path, old, new))
    for path, new in target.items():
        if path not in current:
            others.append(PlanOp(OpKind.WRITE, path, None, new))
    deletes.sort(key=lambda op: op.path)
    others.sort(key=lambda op: op.path)
    return Plan(tuple(deletes + others), tuple(sorted(set(folders))))


def apply_plan_to_tree(current: Tree, plan: Plan) -> Tree:
    """What ``current`` becomes once ``plan`` is applied, computed in memory."""
    entries = dict(current.items())
    for op in plan.ops:
        if op.new is None:
            entries.pop(op.path, None)
        else:
            entries[op.path] = op.new
    return Tree(entries)
