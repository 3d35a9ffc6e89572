"""Check a Plan against the folder before anything is written, and work out its folder changes.

Every path the plan touches must hold exactly what the plan expects (``op.old``), and every folder
on the way to it must be a real folder inside the root, never a symlink, unless the plan itself
replaces it. A folder the plan makes (``plan.folders``) must be a real folder already, or
nothing (or a file the plan deletes). The result, a :class:`Layout`, says which folders the plan
creates (missing now) and which it empties (never one it makes), and where each temp file can
be prepared.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from templsync._core.plan import OpKind, Plan, PlanOp
from templsync._core.tree import Mode, blob_digest, normalize_path, parent_dirs
from templsync._io.fsutil import lstat_or_none
from templsync._io.hashing import changed_error, hash_file, translate
from templsync._io.journaldir import JOURNAL_DIR
from templsync._io.statcache import Signature, signature
from templsync.errors import InvalidPathError, SymlinkError


@dataclass(frozen=True)
class Found:
    """What is at an op's path now, as far as the writer needs to know."""

    sig: Signature | None  # its lstat signature, compared again once it is backed up
    perm: int | None  # permission bits of a regular file


@dataclass(frozen=True)
class Layout:
    found: Mapping[str, Found]  # for every op whose path holds something
    created_dirs: tuple[str, ...]  # shallowest first
    removed_dirs: tuple[tuple[str, int], ...]  # deepest first, with their permission bits
    staged: frozenset[str]  # writes whose folder does not exist yet: temp goes to the journal


def check_plan(root: Path, plan: Plan) -> Layout:
    """Verify ``plan`` against the folder ``root``; raise before anything is written.

    Raises :class:`InvalidPathError` for a malformed plan, :class:`SymlinkError` when a folder on
    the way is a symlink, :class:`ChangedDuringRunError` when a path no longer holds what the plan
    expects, :class:`ReadError` when something cannot be read.
    """
    _check_paths(plan)
    checker = _Checker(root, plan)
    return checker.run()


def _check_paths(plan: Plan) -> None:
    seen: set[str] = set()
    for op in plan.ops:
        if normalize_path(op.path) != op.path:
            raise InvalidPathError(op.path, "the plan's paths must be normalized")
        if op.path in seen:
            raise InvalidPathError(op.path, "the plan changes this path twice")
        _check_not_journal(op.path)
        seen.add(op.path)
        well_formed = {
            OpKind.WRITE: op.new is not None,
            OpKind.DELETE: op.old is not None and op.new is None,
            OpKind.CHMOD: op.old is not None
            and op.new is not None
            and not op.old.is_symlink
            and not op.new.is_symlink,
        }[op.kind]
        if not well_formed:
            raise ValueError(f"malformed plan operation {op!r}")
    written = {op.path for op in plan.ops if op.kind is not OpKind.DELETE}
    for folder in plan.folders:
        if normalize_path(folder) != folder:
            raise InvalidPathError(folder, "the plan's paths must be normalized")
        _check_not_journal(folder)
        if folder in written:
            raise InvalidPathError(folder, "the plan writes a file where it makes a folder")


def _check_not_journal(path: str) -> None:
    if path.split("/", maxsplit=1)[0] == JOURNAL_DIR:
        raise InvalidPathError(path, "it is inside templsync's journal folder")


class _Checker:
    def __init__(self, root: Path, plan: Plan) -> None:
        self.root = root
        self.plan = plan
        self.deleted = {op.path for op in plan.ops if op.new is None}
        self.written = {op.path for op in plan.ops if op.kind is OpKind.WRITE}
        self.dirs: dict[str, os.stat_result | None] = {}  # lstat of the folders on the way
        self.created: set[str] = set()
        self.staged: set[str] = set()

    def run(self) -> Layout:
        try:
            for op in self.plan.ops:
                self._check_parents(op)
            for folder in self.plan.folders:
                self._check_folder(folder)
            removed = self._emptied_dirs()
            found = {}
            for op in self.plan.ops:
                seen = self._check_old(op, removed)
                if seen is not None:
                    found[op.path] = seen
        except OSError as err:
            raise translate(_rel(self.root, err), err) from err
        return Layout(
            found=found,
            created_dirs=tuple(sorted(self.created, key=lambda d: (d.count("/"), d))),
            removed_dirs=tuple(removed.items()),
            staged=frozenset(self.staged),
        )

    def _lstat_dir(self, rel: str) -> os.stat_result | None:
        if rel not in self.dirs:
            self.dirs[rel] = lstat_or_none(self.root / rel)
        return self.dirs[rel]

    def _check_parents(self, op: PlanOp) -> None:
        parents = list(parent_dirs(op.path))[::-1]  # shallowest first
        for i, parent in enumerate(parents):
            if parent in self.written and op.kind is not OpKind.DELETE:
                raise InvalidPathError(op.path, f"the same plan writes the file {parent!r}")
            st = self._lstat_dir(parent)
            if st is not None and stat.S_ISDIR(st.st_mode):
                continue
            replaced = op.kind is OpKind.WRITE and (st is None or parent in self.deleted)
            if st is not None and stat.S_ISLNK(st.st_mode) and not replaced:
                raise SymlinkError(
                    f"{parent!r} is a symlink {self._leads(parent)}, so changing {op.path!r} "
                    "would go through it; the writer never writes through a symlink. Nothing "
                    "was written. Replace the link with a folder, or leave that path out."
                )
            if not replaced:
                if st is None:
                    return  # the file itself is missing too: _check_old says so
                raise changed_error(parent, "is a file where a folder was expected")
            # This folder and the ones below it will be created once the plan deletes what is here.
            self.created.update(parents[i:])
            self.staged.add(op.path)
            return

    def _leads(self, rel: str) -> str:
        """Where the symlinked folder ``rel`` leads, as a person reads it: inside or not."""
        link = self.root / rel
        try:
            target = str(link.readlink())
            real = link.resolve()
        except (OSError, RuntimeError):
            return "that cannot be followed"
        top = self.root.resolve()
        if real == top or real.is_relative_to(top):
            return f"to {target!r}, a folder inside the project ({real.relative_to(top)})"
        return f"to {target!r}, outside the project"

    def _check_folder(self, folder: str) -> None:
        """A folder to make: what is on the way to it, and at it, allows one."""
        parents = list(parent_dirs(folder))[::-1]  # shallowest first
        for i, path in enumerate([*parents, folder]):
            if path in self.written:
                raise InvalidPathError(folder, f"the same plan writes the file {path!r}")
            st = self._lstat_dir(path)
            if st is not None and stat.S_ISDIR(st.st_mode):
                continue
            if st is not None and path not in self.deleted:
                if stat.S_ISLNK(st.st_mode):
                    raise SymlinkError(
                        f"{path!r} is a symlink {self._leads(path)}, so making the folder "
                        f"{folder!r} would go through it; the writer never writes through a "
                        "symlink. Nothing was written. Replace the link with a folder, or leave "
                        "that path out."
                    )
                raise changed_error(path, "is a file where the plan makes a folder")
            self.created.update([*parents, folder][i:])  # missing, or a file the plan deletes
            return

    def _emptied_dirs(self) -> dict[str, int]:
        """Folders holding only what the plan deletes (deepest first): they go too, unless the
        plan makes them."""
        holds_writes = {d for p in self.written for d in parent_dirs(p)}
        holds_writes.update(self.plan.folders)
        holds_writes.update(d for f in self.plan.folders for d in parent_dirs(f))
        candidates = {
            d
            for p in self.deleted
            for d in parent_dirs(p)
            if d not in holds_writes and d not in self.created
        }
        removed: dict[str, int] = {}
        for folder in sorted(candidates, key=lambda d: (-d.count("/"), d)):
            st = self._lstat_dir(folder)
            if st is None or not stat.S_ISDIR(st.st_mode):
                continue
            with os.scandir(self.root / folder) as it:
                names = [entry.name for entry in it]
            children = (f"{folder}/{name}" for name in names)
            if all(c in self.deleted or c in removed for c in children):
                removed[folder] = stat.S_IMODE(st.st_mode)
        return removed

    def _check_old(self, op: PlanOp, removed: Mapping[str, int]) -> Found | None:
        path = self.root / op.path
        st = lstat_or_none(path)
        old = op.old
        if old is None:
            if st is None or (stat.S_ISDIR(st.st_mode) and op.path in removed):
                return None
            what = "is a folder" if stat.S_ISDIR(st.st_mode) else "exists"
            raise changed_error(op.path, f"{what} where the plan expected nothing, so it changed")
        if st is None:
            raise changed_error(op.path, "was deleted")
        if stat.S_ISDIR(st.st_mode):
            raise changed_error(op.path, "was replaced by a folder")
        if old.is_symlink:
            if not stat.S_ISLNK(st.st_mode):
                raise changed_error(op.path, "is no longer a symlink")
            if blob_digest(os.fsencode(path.readlink())) != old.digest:
                raise changed_error(op.path, "points somewhere else now, so it changed")
            return Found(signature(st), None)
        if not stat.S_ISREG(st.st_mode):
            raise changed_error(op.path, "is no longer a regular file")
        if bool(st.st_mode & stat.S_IXUSR) != (old.mode is Mode.EXECUTABLE):
            raise changed_error(op.path, "had its executable bit changed")
        digest, fst = hash_file(os.fspath(path), op.path)
        if digest != old.digest or signature(fst) != signature(st):
            raise changed_error(op.path, "changed")
        return Found(signature(st), stat.S_IMODE(st.st_mode))


def _rel(root: Path, err: OSError) -> str:
    if err.filename is None:
        return "."
    return os.path.relpath(os.fsdecode(err.filename), root)
