"""A scratch copy of a folder, for commands that may change it while the folder stays untouched.

An update runs its template's tasks here (:mod:`templsync.instance.updatetasks`), so that what
they do becomes part of the merge and the instance is still written once. The rules:

- The copy lives in the cache folder, at ``<cache>/scratch/<token>/<name>``: it keeps the
  folder's name, which tools take for the project's name. It is removed when the ``with`` block
  of :func:`open_scratch` ends, however it ends; one left behind by a crash is removed by a later
  :func:`open_scratch` once nobody holds its lock.
- Every entry of the folder is copied but the top-level ``.git`` and the writer's journal:
  ignored files too (a virtualenv, ``node_modules``), so that commands find what they would find
  in the folder. A file is cloned where the file system can (a reflink: no bytes copied) and
  copied otherwise, never hard-linked (a command may write a file in place); its mode and times
  are kept. Symlinks are copied as links.
- :meth:`Scratch.write` puts a Tree over the copy, removing whatever stands in the way, and
  :meth:`Scratch.make_folders` makes empty folders where nothing stands in the way. This is not
  the instance's writer: nothing here is the instance's, and the copy is thrown away.
- :meth:`Scratch.changes` says what the commands changed, against what the caller says the copy
  held (``before``): each of those paths now gone, or holding other bytes or another mode, each
  file added that ``ignored`` does not exclude, read into memory (the copy is about to go), and
  each folder made that ``ignored`` does not exclude and that holds none of those files.
  A file whose ``lstat`` (mtime, ctime, size, inode, mode) has not moved since it was put there,
  and whose mtime is older than the racy window (:mod:`templsync._io.statcache`), is unchanged
  without a read: a command cannot write a file without moving its ctime.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from templsync._core.tree import FileEntry, Mode, Tree, parent_dirs
from templsync._io.fsutil import lstat_or_none
from templsync._io.hashing import read_error
from templsync._io.journaldir import JOURNAL_DIR
from templsync._io.statcache import RACY_WINDOW_NS
from templsync._io.threads import for_each
from templsync.errors import WriteError

__all__ = ["NO_CHANGES", "Ignored", "Scratch", "ScratchChanges", "open_scratch"]

_Stamp = tuple[int, int, int, int, int]  # st_mtime_ns, st_ctime_ns, st_size, st_ino, st_mode

Ignored = Callable[[str, bool], bool]
"""Whether a path of the copy (a folder when the flag is set) is ignored, as git ignores it."""

_FICLONE = 0x40049409  # linux/fs.h (fcntl.FICLONE from Python 3.12 on)
_NO_CLONE = frozenset(
    {errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOTTY, errno.ENOSYS, errno.EPERM}
)
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_CHUNK = 1 << 20
_STALE_AFTER = 60.0  # seconds: an unlocked scratch folder older than this was left behind
_LOCK = "lock"


@dataclass(frozen=True)
class ScratchChanges:
    """What commands did to a scratch copy: files added or changed (in memory), paths deleted,
    folders made that hold no file of ``written``."""

    written: Tree
    deleted: frozenset[str]
    folders: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.written) or bool(self.deleted) or bool(self.folders)


NO_CHANGES = ScratchChanges(Tree(), frozenset())


class Scratch:
    """A scratch copy being used (see the module's documentation); made by :func:`open_scratch`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # What was put in the copy (file signatures, for files), and when the copy was ready.
        self._placed: dict[str, _Stamp | None] = {}
        self._folders: set[str] = set()
        self._ready_ns = 0
        self._clone = sys.platform == "linux"

    def write(self, tree: Tree) -> None:
        """Put ``tree``'s entries over the copy, removing a file or folder in the way."""
        for path, entry in tree.items():
            full = self.root / path
            for folder in reversed(list(parent_dirs(path))):
                st = lstat_or_none(self.root / folder)
                if st is not None and not stat.S_ISDIR(st.st_mode):
                    (self.root / folder).unlink()
            full.parent.mkdir(parents=True, exist_ok=True)
            self._folders.update(parent_dirs(path))
            st = lstat_or_none(full)
            if st is not None:
                _remove(full) if stat.S_ISDIR(st.st_mode) else full.unlink()
            if entry.is_symlink:
                full.symlink_to(os.fsdecode(entry.content()))
                self._placed[path] = None
                continue
            perm = 0o777 if entry.mode is Mode.EXECUTABLE else 0o666
            fd = os.open(full, _CREATE, perm)
            try:
                view = memoryview(entry.content())
                while view:
                    view = view[os.write(fd, view) :]
                self._placed[path] = _stamp(os.fstat(fd))
            finally:
                os.close(fd)

    def make_folders(self, folders: Iterable[str]) -> None:
        """Make each of ``folders`` the copy lacks, unless a file stands there or on the way."""
        for folder in folders:
            self._folders.add(folder)
            self._folders.update(parent_dirs(folder))
            with contextlib.suppress(FileExistsError, NotADirectoryError):
                (self.root / folder).mkdir(parents=True)

    def ready(self) -> None:
        """Mark the copy complete: files changed from now on are the commands' doing."""
        self._ready_ns = time.time_ns()

    def changes(self, before: Tree, ignored: Ignored) -> ScratchChanges:
        """What changed since :meth:`ready`, against ``before`` (see the module's documentation).

        Raises :class:`~templsync.errors.SymlinkError` when a command left a symlink that leaves
        the folder, :class:`~templsync.errors.ReadError` when a file cannot be read.
        """
        written: dict[str, FileEntry] = {}
        deleted: set[str] = set()
        for path, entry in before.items():
            now = self._entry(path, entry)
            if now is None:
                deleted.add(path)
            elif now != entry:
                written[path] = now
        made: list[str] = []
        for path in self._added(before, ignored, made):
            now = self._entry(path, None)
            if now is not None:
                written[path] = now
        holding = {d for p in written for d in parent_dirs(p)}
        folders = frozenset(f for f in made if f not in holding)
        return ScratchChanges(Tree(written), frozenset(deleted), folders)

    def _entry(self, path: str, known: FileEntry | None) -> FileEntry | None:
        """The copy's file at ``path`` now (``known`` when it cannot have changed), or None."""
        full = self.root / path
        st = lstat_or_none(full)
        if st is None:
            return None
        if stat.S_ISLNK(st.st_mode):
            return FileEntry.symlink(os.fsdecode(full.readlink()))
        if not stat.S_ISREG(st.st_mode):
            return None
        settled = st.st_mtime_ns < self._ready_ns - RACY_WINDOW_NS
        if known is not None and settled and self._placed.get(path) == _stamp(st):
            return known
        try:
            data = full.read_bytes()
        except OSError as err:
            raise read_error(path, err) from err
        return FileEntry.from_bytes(data, Mode.EXECUTABLE if st.st_mode & 0o100 else Mode.REGULAR)

    def _added(self, before: Tree, ignored: Ignored, made: list[str]) -> Iterator[str]:
        """Files and symlinks in the copy that were not put there, in folders not ignored; the
        folders not ignored that were not there are added to ``made``."""
        stack = [(str(self.root), "")]
        while stack:
            folder, prefix = stack.pop()
            with os.scandir(folder) as it:
                items = list(it)
            for item in items:
                rel = prefix + item.name
                if not prefix and item.name in (".git", JOURNAL_DIR):
                    continue
                if item.is_dir(follow_symlinks=False):
                    if not ignored(rel, True):
                        stack.append((item.path, rel + "/"))
                        if rel not in self._folders:
                            made.append(rel)
                elif rel not in self._placed and rel not in before and not ignored(rel, False):
                    yield rel

    def _copy_from(self, source: Path, skip: Path) -> None:
        """Copy ``source``'s entries into the copy (``skip``, a folder inside it, left out)."""
        files: list[tuple[str, str, os.stat_result]] = []
        folders: list[tuple[Path, int]] = []
        # Both resolved, so that ``skip`` is met by name (the walk never enters a symlink).
        stack = [(os.fspath(source.resolve()), "")]
        skipped = os.fspath(skip.resolve())
        while stack:
            folder, prefix = stack.pop()
            with os.scandir(folder) as it:
                items = list(it)
            for item in items:
                rel = prefix + item.name
                if (not prefix and item.name in (".git", JOURNAL_DIR)) or item.path == skipped:
                    continue
                st = item.stat(follow_symlinks=False)
                target = self.root / rel
                if stat.S_ISDIR(st.st_mode):
                    target.mkdir(0o700)
                    self._folders.add(rel)
                    folders.append((target, stat.S_IMODE(st.st_mode) | 0o700))
                    stack.append((item.path, rel + "/"))
                elif stat.S_ISLNK(st.st_mode):
                    target.symlink_to(Path(item.path).readlink())
                    self._placed[rel] = None
                elif stat.S_ISREG(st.st_mode):
                    files.append((rel, item.path, st))
        for_each(self._copy_file, files)
        for target, mode in folders:
            target.chmod(mode)

    def _copy_file(self, item: tuple[str, str, os.stat_result]) -> None:
        rel, source, st = item
        src = os.open(source, _READ)
        try:
            dst = os.open(self.root / rel, _CREATE, 0o600)
            try:
                self._copy_data(src, dst)
                os.fchmod(dst, stat.S_IMODE(st.st_mode))
                os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
                self._placed[rel] = _stamp(os.fstat(dst))
            finally:
                os.close(dst)
        finally:
            os.close(src)

    def _copy_data(self, src: int, dst: int) -> None:
        if self._clone:
            try:
                fcntl.ioctl(dst, _FICLONE, src)
                return
            except OSError as err:
                if err.errno not in _NO_CLONE:
                    raise
                self._clone = False  # this file system makes no reflinks: copy from now on
        while chunk := os.read(src, _CHUNK):
            view = memoryview(chunk)
            while view:
                view = view[os.write(dst, view) :]


@contextlib.contextmanager
def open_scratch(source: Path, cache_dir: Path) -> Iterator[Scratch]:
    """A scratch copy of the folder ``source`` under ``cache_dir``, removed when the block ends.

    Raises :class:`WriteError` when the copy cannot be made (nothing is left behind).
    """
    source = source.absolute()
    base = cache_dir / "scratch"
    home: Path | None = None
    lock: int | None = None
    try:
        try:
            base.mkdir(parents=True, exist_ok=True)
            _remove_left_behind(base)
            home = base / secrets.token_hex(6)
            home.mkdir()
            lock = os.open(home / _LOCK, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
            with contextlib.suppress(OSError):  # no locks here: the age check stays
                fcntl.flock(lock, fcntl.LOCK_EX)
            scratch = Scratch(home / (source.resolve().name or "project"))
            scratch.root.mkdir()
            scratch._copy_from(source, base)
        except OSError as err:
            where = os.fsdecode(err.filename) if err.filename else str(source)
            raise WriteError(
                f"could not make a scratch copy of {str(source)!r} for the template's tasks "
                f"({where}: {err.strerror or err}). Nothing was changed in the project; free "
                f"some space in {str(cache_dir)!r}, or update with --skip-tasks."
            ) from err
        yield scratch
    finally:
        if home is not None:
            _remove(home)
        if lock is not None:
            os.close(lock)


def _stamp(st: os.stat_result) -> _Stamp:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode)


def _remove_left_behind(base: Path) -> None:
    """Remove the scratch folders of runs that ended without removing theirs (a crash)."""
    for home in base.iterdir():
        try:
            if time.time() - home.stat().st_mtime < _STALE_AFTER:
                continue
            fd = os.open(home / _LOCK, os.O_WRONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            _remove(home)  # left between its folder and its lock being made
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # in use
        finally:
            os.close(fd)
        _remove(home)


def _remove(path: Path) -> None:
    """Remove a scratch folder, even one where a command left read-only folders. What cannot
    be removed is left for a later :func:`open_scratch` to try again."""
    try:
        shutil.rmtree(path)
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    for folder, dirs, _ in os.walk(path):
        for name in dirs:
            inner = Path(folder, name)
            if not inner.is_symlink():
                with contextlib.suppress(OSError):
                    inner.chmod(0o700)
    shutil.rmtree(path, ignore_errors=True)
