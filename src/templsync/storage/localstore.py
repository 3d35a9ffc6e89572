"""A plain folder as a side of a sync: the fast path, with no fsspec in the way.

Rules this module keeps:

- Listing is one ``os.scandir`` walk with one ``stat`` per file; ignored folders are not entered,
  the writer's journal and temp files are skipped, and so is anything but a regular file. Each
  folder is opened once and its files are stat'ed by name against that descriptor
  (``os.lstat(name, dir_fd=fd)``): the kernel resolves one name a file, not its whole path.
  The descriptor is closed before the next folder is opened.
  :meth:`LocalStore.scan` compares each file with the last sync's records as it walks, so a
  file found as recorded costs one index lookup and no object.
- Every change goes through templsync's one writer (:func:`templsync._io.apply.apply_plan`): a
  batch of writes and deletions lands whole or not at all, each file by temp file and rename,
  and emptied folders go with their last file. A file written keeps its source's mtime.
- Before the writer runs, every target is compared with its listed stat and hashed, so the
  writer's own check (the digest) holds the version that was listed; a target that changed is
  reported as changed and left alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._core.ignore import IgnoreRules
from templsync._io.fsutil import read_to_end
from templsync._io.hashing import hash_file, load_checked
from templsync._io.journaldir import JOURNAL_DIR, has_journal
from templsync._io.statcache import RACY_WINDOW_NS, gc_paused
from templsync.errors import ChangedDuringRunError, ReadError
from templsync.progress import Progress
from templsync.storage.changes import SEEN, SEEN_EXECUTABLE, Scan
from templsync.storage.model import Listing, Stat
from templsync.storage.records import NOTHING_KNOWN, Known
from templsync.storage.store import CHANGED, TEMP_MARK, Changed, Write, WriteOutcome

if TYPE_CHECKING:
    from templsync._core.plan import PlanOp
    from templsync._core.tree import FileEntry

INLINE_BYTES = 4 << 20
"""Files of a folder holding no more than this in all are read or hashed on the calling thread
(the sync's hashing and its copies): starting a pool (and importing it) costs more than
reading them does."""
_REPORT_EVERY = 4096
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class LocalStore:
    """The folder ``root`` (made on the first write when missing)."""

    racy_window_ns = RACY_WINDOW_NS

    def __init__(self, root: Path, url: str | None = None) -> None:
        self.root = root.absolute()
        self.url = url or str(root)
        self._base = os.fspath(self.root) + "/"

    def listing(self, ignore: IgnoreRules, progress: Progress) -> Listing:
        return self.scan(ignore, progress, NOTHING_KNOWN).changed

    def scan(self, ignore: IgnoreRules, progress: Progress, known: Known) -> Scan:
        """The folder's files against ``known`` (see :class:`~templsync.storage.changes.Scan`)."""
        try:
            st = self.root.stat()
        except FileNotFoundError:
            return Scan({}, bytearray(len(known.sizes)), 0)
        except OSError as err:
            raise ReadError(f"cannot read the folder {self.url!r}: {err.strerror}.") from err
        if not stat.S_ISDIR(st.st_mode):
            raise ReadError(f"{self.url!r} is not a folder. Give a folder to sync.")
        with gc_paused():
            return self._walk(ignore, progress, known)

    def _walk(self, ignore: IgnoreRules, progress: Progress, known: Known) -> Scan:
        changed: Listing = {}
        seen = bytearray(len(known.sizes))
        index, sizes, mtimes = known.index.get, known.sizes, known.mtimes
        base = self._base
        stack = [""]  # the folders to read, as prefixes of their files' paths
        use_rules = bool(ignore)
        is_reg, lstat = stat.S_ISREG, os.lstat
        count = reported = 0
        while stack:
            prefix = stack.pop()
            try:
                fd = os.open(base + prefix, _FOLDER_FLAGS)
            except OSError as err:
                raise self._unreadable_folder(prefix, err) from err
            try:
                try:
                    with os.scandir(fd) as it:
                        items = list(it)
                except OSError as err:
                    raise self._unreadable_folder(prefix, err) from err
                for item in items:
                    name = item.name
                    if name.startswith(TEMP_MARK) or (not prefix and name == JOURNAL_DIR):
                        continue
                    rel = prefix + name
                    try:
                        if item.is_dir(follow_symlinks=False):
                            if not (use_rules and ignore.matches(rel, is_dir=True)):
                                stack.append(rel + "/")
                            continue
                        st = lstat(name, dir_fd=fd)
                    except FileNotFoundError:
                        continue  # gone since the folder was read
                    except OSError as err:
                        raise ReadError(
                            f"cannot read {rel!r} in {self.url!r}: {err.strerror}."
                        ) from err
                    if not is_reg(st.st_mode) or (use_rules and ignore.matches(rel)):
                        continue
                    count += 1
                    i = index(rel)
                    if i is not None and sizes[i] == st.st_size and mtimes[i] == st.st_mtime_ns:
                        seen[i] = SEEN_EXECUTABLE if st.st_mode & 0o100 else SEEN
                    else:
                        changed[rel] = Stat(
                            st.st_size, st.st_mtime_ns, None, None, bool(st.st_mode & 0o100)
                        )
            finally:
                os.close(fd)
            if count >= reported + _REPORT_EVERY:
                reported = count
                progress("list-local", reported, 0)
        return Scan(changed, seen, count)

    def _unreadable_folder(self, prefix: str, err: OSError) -> ReadError:
        return ReadError(
            f"cannot read the folder {prefix or '.'!r} in {self.url!r}: {err.strerror}."
        )

    def hash(self, path: str, listed: Stat) -> Stat:
        try:
            digest, st = hash_file(self._base + path, path)
        except ChangedDuringRunError as err:
            raise Changed(path) from err
        if st.st_size != listed.size or st.st_mtime_ns != listed.mtime_ns:
            raise Changed(path)
        return listed.with_digest(digest)

    def read(self, path: str, listed: Stat) -> bytes:
        full = self._base + path
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
                raise Changed(path) from err
            raise ReadError(f"cannot read {path!r} in {self.url!r}: {err.strerror}.") from err
        try:
            st = os.fstat(fd)
            if (
                not stat.S_ISREG(st.st_mode)
                or st.st_size != listed.size
                or st.st_mtime_ns != listed.mtime_ns
            ):
                raise Changed(path)
            data = os.read(fd, st.st_size + 1) if st.st_size < 1 << 24 else read_to_end(fd)
        except OSError as err:
            raise ReadError(f"cannot read {path!r} in {self.url!r}: {err.strerror}.") from err
        finally:
            os.close(fd)
        if len(data) != listed.size:
            raise Changed(path)
        return data

    def apply(self, writes: Sequence[Write], done: Callable[[Write, WriteOutcome], None]) -> None:
        from templsync._core.plan import Plan  # noqa: PLC0415  # 1 ms, when writing

        ops: list[PlanOp] = []
        kept: list[Write] = []
        for write in writes:
            op = self._op(write)
            if op is None:
                done(write, CHANGED)
            else:
                ops.append(op)
                kept.append(write)
        if not ops:
            return
        from templsync._io.apply import apply_plan  # noqa: PLC0415  # 5 ms, when writing

        self.root.mkdir(parents=True, exist_ok=True)
        try:
            apply_plan(self.root, Plan(tuple(ops)))
        except ChangedDuringRunError:
            if len(ops) == 1:
                done(kept[0], CHANGED)
                return
            for write in kept:  # one at a time: only the file that changed is left out
                self.apply([write], done)
            return
        for write in kept:
            done(write, self._landed(write))

    def _op(self, write: Write) -> PlanOp | None:
        """The writer's operation for ``write``, or None when its target changed."""
        from templsync._core.plan import OpKind, PlanOp  # noqa: PLC0415  # with apply

        old = self._current(write.path, write.expect)
        if old is False:
            return None
        assert old is not True
        if write.entry is None:
            if old is None:
                return None
            return PlanOp(OpKind.DELETE, write.path, old, None)
        return PlanOp(OpKind.WRITE, write.path, old, write.entry)

    def _current(self, path: str, expect: Stat | None) -> FileEntry | bool | None:
        """What is at ``path`` as the writer's ``old`` (None: nothing), or False when it is not
        what was listed."""
        from templsync._core.tree import FileEntry, Mode  # noqa: PLC0415  # with apply

        full = self._base + path
        try:
            st = os.lstat(full)
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ENOTDIR):
                return None if expect is None else False
            raise
        if expect is None or not stat.S_ISREG(st.st_mode):
            return False
        if st.st_size != expect.size or st.st_mtime_ns != expect.mtime_ns:
            return False
        try:
            digest, fst = hash_file(full, path)
        except ChangedDuringRunError:
            return False
        if fst.st_mtime_ns != st.st_mtime_ns or (expect.digest not in (None, digest)):
            return False
        mode = Mode.EXECUTABLE if st.st_mode & 0o100 else Mode.REGULAR
        return FileEntry(digest, mode, lambda: load_checked(full, path, digest))

    def _landed(self, write: Write) -> WriteOutcome:
        if write.entry is None:
            return None
        full = self._base + write.path
        if write.mtime_ns is not None:
            with contextlib.suppress(OSError):  # the content landed; only its time is lost
                os.utime(full, ns=(time.time_ns(), write.mtime_ns), follow_symlinks=False)
        st = os.lstat(full)
        return Stat(st.st_size, st.st_mtime_ns, write.entry.digest, None, write.executable)

    def recover(self) -> str | None:
        if not has_journal(self.root):  # the usual case: the writer's import not needed
            return None
        from templsync._io.apply import recover  # noqa: PLC0415  # 5 ms, when there is a journal

        done = recover(self.root)
        if done is None:
            return None
        return f"an interrupted write in {self.url!r} was {done.action} ({done.paths} paths)"

    def close(self) -> None:
        pass
