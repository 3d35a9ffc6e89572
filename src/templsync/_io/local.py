"""Read a local folder into a :class:`Tree`: one ``os.scandir`` walk, never following symlinks.

:func:`read_empty_folders` lists the folders a Tree cannot hold (those with nothing in them), for
a template read from a folder.

Ignore rules are applied while walking (an ignored folder is not entered), the writer's journal
folder is always skipped, and content is not kept: each entry re-reads its file when asked, and
refuses content that no longer matches the digest taken during the walk.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import AbsoluteSymlinkError, FileEntry, Mode, Tree, normalize_path
from templsync._io.hashing import hash_file, load_checked, read_error, translate
from templsync._io.journaldir import JOURNAL_DIR
from templsync._io.statcache import Row, StatCache, gc_paused, is_racy, signature
from templsync.errors import ReadError, SymlinkError, SymlinkOutsideError

_NO_RULES = IgnoreRules()


def read_tree(
    root: Path, ignore: IgnoreRules = _NO_RULES, *, cache: StatCache | None = None
) -> Tree:
    """The files under ``root`` as a Tree (regular files, executables and symlinks).

    Fifos, sockets and devices are skipped. With a ``cache``, files whose stat signature did not
    change are not read again, and the cache is updated to the files seen by this walk.
    Raises :class:`ReadError` when something cannot be read, :class:`SymlinkError` for a symlink
    that leaves the root or loops.
    """
    _check_root(root)
    # Absolute, so that the entries' loaders do not depend on the working folder at load time.
    walk = _Walk(os.fspath(root.absolute()), ignore, cache)
    with gc_paused():
        walk.run()
    if walk.symlinks:
        # Validating the symlinks on their own is exactly Tree's check: a link is followed only
        # through other links, and scandir names need no normalizing.
        try:
            Tree(walk.symlinks)
        except AbsoluteSymlinkError as err:
            raise explain_symlink(err, root) from err
    if cache is not None and walk.new_rows is not None:
        cache.replace(walk.new_rows, changed=walk.stored > 0, entries=(walk.root, walk.entries))
    return Tree._trusted(walk.entries)


def explain_symlink(
    err: AbsoluteSymlinkError, root: Path, *, what: str = "project"
) -> SymlinkError:
    """``err`` said with what the folder ``root`` (the ``what``: project, template) tells:
    whether the absolute link points inside it, and then the relative link to make instead;
    else a :class:`~templsync.errors.SymlinkOutsideError` naming where it points (Copier's
    ``ForbiddenPathError``)."""
    name, absolute = err.absolute_link, err.absolute_target
    target = Path(os.path.normpath(absolute))
    for top in dict.fromkeys([root.absolute(), root.resolve()]):
        if target == top or target.is_relative_to(top):
            inside = target.relative_to(top).as_posix() or "."
            relative = os.path.relpath(target, (top / name).parent)
            return SymlinkError(
                f"symlink {name!r} points inside the {what} (to {inside!r}), but by the "
                f"absolute path {absolute!r}, which points somewhere else once the {what} "
                f"is moved or cloned. Make it relative: `ln -sfn {relative} {name}` in "
                f"{root}, or add it to the ignore rules.",
                link=err.link,
                target=err.target,
            )
    return SymlinkOutsideError(
        err.link or name,
        f"symlink {name!r} points to {absolute!r}, outside the {what} ({root}). "
        f"Replace it with a relative link to a file inside the {what}, or add it to the "
        "ignore rules.",
        target=err.target,
        path=str(target),
    )


def read_empty_folders(root: Path) -> frozenset[str]:
    """The folders under ``root`` that hold nothing a Tree keeps: no file, folder or symlink (a
    fifo or a socket does not count). Their parents are implied.

    A Tree holds files only, so a template read from a folder loses these; Copier makes them in
    a copy. Symlinks are not followed; the writer's journal folder is skipped.
    """
    _check_root(root)
    found: set[str] = set()
    stack: list[tuple[str, str]] = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                items = list(it)
        except OSError as err:
            raise translate(prefix.rstrip("/") or ".", err) from err
        kept = False
        for item in items:
            if not prefix and item.name == JOURNAL_DIR:
                continue
            try:
                is_dir = item.is_dir(follow_symlinks=False)
                kept = kept or is_dir or item.is_file(follow_symlinks=False) or item.is_symlink()
            except OSError as err:
                raise translate(prefix + item.name, err) from err
            if is_dir:
                stack.append((item.path, f"{prefix}{item.name}/"))
        if prefix and not kept:
            found.add(prefix.rstrip("/"))
    return frozenset(found)


def _check_root(root: Path) -> None:
    try:
        st = root.stat()
    except FileNotFoundError as err:
        raise ReadError(f"the folder {str(root)!r} does not exist. Check the path.") from err
    except OSError as err:
        raise read_error(str(root), err) from err
    if not stat.S_ISDIR(st.st_mode):
        raise ReadError(f"{str(root)!r} is not a folder. Give the path of the project folder.")


class _Walk:
    """The state of one walk; a class so that the hot loop reads locals, not closures."""

    def __init__(self, root: str, ignore: IgnoreRules, cache: StatCache | None) -> None:
        self.root = root
        self.ignore = ignore
        self.entries: dict[str, FileEntry] = {}
        self.symlinks: dict[str, FileEntry] = {}
        self.old_rows: Mapping[str, Row] = {} if cache is None else cache.rows()
        # Entries of the last walk of this root with this cache, reused as they are when unchanged.
        self.old_entries = {} if cache is None else cache.entries(root)
        self.new_rows: dict[str, Row] | None = None if cache is None else {}
        self.stored = 0
        # Taken before any file is read: entries whose mtime is close to it are racy.
        self.started_ns = time.time_ns()

    def run(self) -> None:
        stack: list[tuple[str, str]] = [(self.root, "")]
        while stack:
            folder, prefix = stack.pop()
            self._scan(folder, prefix, stack)

    def _scan(self, folder: str, prefix: str, stack: list[tuple[str, str]]) -> None:
        # The hot loop of every read: locals only, the common case (a regular file) tested first.
        ignore = self.ignore if self.ignore else None
        old_rows = self.old_rows
        old_entries = self.old_entries
        new_rows = self.new_rows
        entries = self.entries
        regular, executable = Mode.REGULAR, Mode.EXECUTABLE
        cached = bool(old_rows) or new_rows is not None
        try:
            with os.scandir(folder) as it:
                items = list(it)
        except OSError as err:
            raise translate(prefix.rstrip("/") or ".", err) from err
        for item in items:
            name = item.name
            rel = prefix + name
            if not prefix:
                if name == JOURNAL_DIR:
                    continue
                normalize_path(name)  # refuses the names a Tree refuses (e.g. "c:x")
            try:
                if not item.is_file(follow_symlinks=False):
                    self._other(item, rel, stack)
                    continue
                if ignore is not None and ignore.matches(rel):
                    continue
                if not cached:  # no stat cache: the fstat of the read is all that is needed
                    digest, st = hash_file(item.path, rel)
                    mode = executable if st.st_mode & 0o100 else regular
                    entries[rel] = FileEntry(
                        digest, mode, partial(load_checked, item.path, rel, digest)
                    )
                    continue
                st = item.stat(follow_symlinks=False)
            except OSError as err:
                raise translate(rel, err) from err
            sig = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode)
            row = old_rows.get(rel)
            if row is not None and row[0] == sig:
                if new_rows is not None:
                    new_rows[rel] = row
                same = old_entries.get(rel)
                if same is not None:
                    entries[rel] = same
                    continue
                digest = row[1]
            else:
                digest, st = hash_file(item.path, rel)
                if new_rows is not None:
                    self._store(rel, st, digest)
            mode = executable if st.st_mode & 0o100 else regular
            entries[rel] = FileEntry(digest, mode, partial(load_checked, item.path, rel, digest))

    def _store(self, rel: str, st: os.stat_result, digest: str) -> None:
        sig = signature(st)
        if self.new_rows is not None and not is_racy(sig, self.started_ns):
            self.new_rows[rel] = (sig, digest)
            self.stored += 1

    def _other(self, item: os.DirEntry[str], rel: str, stack: list[tuple[str, str]]) -> None:
        """A folder (entered unless ignored), a symlink, or something else (skipped)."""
        ignore = self.ignore
        if item.is_dir(follow_symlinks=False):
            if not ignore.matches(rel, is_dir=True):
                stack.append((item.path, rel + "/"))
        elif item.is_symlink() and not ignore.matches(rel):
            target = os.fsencode(Path(item.path).readlink())
            self.symlinks[rel] = self.entries[rel] = FileEntry.from_bytes(target, Mode.SYMLINK)


def read_permissions(root: Path, paths: Mapping[str, str]) -> dict[str, int]:
    """The permission bits (``0o777``) of files under ``root``, keyed as ``paths`` keys them.

    ``paths`` maps a key to a file's path under ``root``; a symlink gives its target's bits, and
    a path that cannot be looked at is left out.
    """
    found: dict[str, int] = {}
    base = root.absolute()
    for key, rel in paths.items():
        try:
            found[key] = stat.S_IMODE((base / rel).stat().st_mode) & 0o777
        except OSError:
            continue
    return found
