"""One side's folder walked in a forked child process while the parent walks the other side.

Two folder walks are bound by ``stat`` calls; in two threads they take turns holding the
interpreter's lock (slower than one after the other), in two processes they run side by side.
:func:`in_child` forks a child that runs ``walk`` (a :class:`~templsync.storage.changes.Scan` of
the other side, against records the child inherits copy-on-write: nothing is loaded twice) and
sends its result back through a pipe.

Rules this module keeps:

- A child is forked only where that is safe (:func:`can_fork`): ``os.fork`` exists, the system is
  Linux (on macOS a forked child may crash in system libraries), and the process runs one thread
  (a lock another thread held at the fork would stay locked in the child); and only where it
  is of use: the process may run on two cores or more. Otherwise :func:`in_child` gives None
  and the caller walks both sides itself, one after the other.
- The child only walks and writes its answer: the walk it runs reports no progress (the
  parent reports its own side), its cyclic GC is off (a collection would touch, and so copy,
  every page it shares with the parent), and it leaves by ``os._exit`` on every path, so it
  never runs the parent's ``finally`` blocks (the pair lock), atexit handlers, or flushes the
  parent's stdio. Signals are blocked from the fork until the child is inside that guard.
- The answer is compact: one length-prefixed ``marshal`` of plain values, the changed files as
  columns (their paths, sizes, mtimes), no object per file (a no-change walk of 100,000 files
  sends about 100 KB: its ``seen`` bytes).
- :meth:`Apart.result` gives the child's :class:`Scan`, or raises the :class:`UserError` the
  walk raised (same class, same message, as a walk in the parent would), or gives None when the
  child gave no whole answer (killed, crashed, a short or garbled answer, a non-zero exit) or
  failed with any other error: the caller then walks that side itself, so such an error is
  raised with its real traceback, and a partial listing is never taken for deletions.
- The child is always reaped: :meth:`Apart.result` waits for it, and leaving the ``with`` block
  early (the parent's own walk failed, Ctrl-C) kills it first.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
import threading
from array import array
from collections.abc import Callable
from itertools import repeat
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from templsync._io.fsutil import read_to_end
from templsync._io.statcache import gc_paused
from templsync.errors import UserError
from templsync.storage.changes import Scan
from templsync.storage.codec import join_paths
from templsync.storage.model import Listing, Stat

WalkApart = Callable[[Callable[[], Scan]], "Apart | None"]
"""Starts ``walk`` somewhere else and gives its :class:`Apart`, or None: walk it yourself."""

_LENGTH = 8  # bytes of the answer's length, before the answer

_Answer = (
    tuple[str, str, bytes, bytes, bytes, dict[int, tuple[str | None, str | None]], bytes, int]
    | tuple[str, str, str, str]
    | None
)
"""What a child sends: its scan as columns, ``("scan", paths, sizes, mtimes, executable,
others, seen, count)`` (the changed paths joined by NUL; 64-bit sizes and mtimes; a byte per
path, 1 when executable; ``{row: (digest, etag)}`` for the rare stat that has either), or
``("error", module, class, message)`` for a UserError, or None (the parent walks itself)."""


def can_fork(
    platform: str = sys.platform,
    threads: int | None = None,
    cores: int | None = None,
    *,
    has_fork: bool | None = None,
) -> bool:
    """Whether forking a walker is safe and of use here (see the module's rules); ``threads``
    is the process's thread count, ``cores`` how many cores it may run on (each counted when
    None)."""
    if not (hasattr(os, "fork") if has_fork is None else has_fork):
        return False
    if not platform.startswith("linux"):
        return False
    if threads is None:
        threads = _threads()
    if cores is None:
        cores = _cores()
    return threads == 1 and cores > 1


def in_child(walk: Callable[[], Scan]) -> Apart | None:
    """``walk`` run in a forked child where :func:`can_fork`; None otherwise."""
    return fork_walk(walk) if can_fork() else None


def one_after_other(_walk: Callable[[], Scan]) -> Apart | None:
    """Never apart: the caller walks both sides itself."""
    return None


def fork_walk(walk: Callable[[], Scan]) -> Apart | None:
    """``walk`` run in a forked child, whatever :func:`can_fork` says (None when the fork
    fails). Callers use :func:`in_child`."""
    read_end, write_end = os.pipe()
    try:
        pid, mask = _fork_quietly()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        _child(walk, read_end, write_end, mask)
    os.close(write_end)
    return Apart(pid, read_end)


def _fork_quietly() -> tuple[int, set[int | signal.Signals]]:
    """``os.fork`` with every signal blocked across it, and the signal mask it had. The parent
    gets its mask back; the child's stays blocked until it restores it itself, inside its
    guard (no signal handler can run in the child before that)."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    pid = -1
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        pid = os.fork()
    finally:
        if pid != 0:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return pid, mask


def _child(
    walk: Callable[[], Scan], read_end: int, write_end: int, mask: set[int | signal.Signals]
) -> NoReturn:
    """The forked child: walk, answer, leave by ``os._exit`` whatever happens."""
    code = 1
    try:
        gc.disable()  # a collection would touch, and so copy, every page of the parent's heap
        os.close(read_end)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _send(write_end, _answer(walk))
        code = 0
    finally:
        os._exit(code)


class Apart:
    """A walk running in the child ``pid``, answering on the pipe ``fd`` (see the module's
    rules). Use it as a context manager: leaving the block reaps the child."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid: int | None = pid
        self.fd = fd

    def result(self) -> Scan | None:
        """The child's scan; its UserError raised; None when the caller must walk itself."""
        try:
            data = read_to_end(self.fd)
            whole = self._exited_cleanly()
        finally:
            self.close()
        return decode(data) if whole else None

    def close(self) -> None:
        """Stop listening; kill the child if it has not been reaped yet."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._exited_cleanly()

    def _exited_cleanly(self) -> bool:
        if self.pid is None:
            return False
        pid, self.pid = self.pid, None
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:  # reaped by someone else: its exit code is unknown
            return False
        return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

    def __enter__(self) -> Apart:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def encode(answer: _Answer) -> bytes:
    """``answer`` (plain values only) as the child sends it: its length, then its marshal."""
    data = marshal.dumps(answer)
    return len(data).to_bytes(_LENGTH, "little") + data


def decode(data: bytes) -> Scan | None:
    """The :class:`Scan` in a child's whole answer; its UserError raised; None for anything
    else (a short, garbled or foreign answer, another kind of error)."""
    if len(data) < _LENGTH or int.from_bytes(data[:_LENGTH], "little") != len(data) - _LENGTH:
        return None
    try:
        answer = marshal.loads(data[_LENGTH:])  # noqa: S302  # from our own child, by our pipe
    except (EOFError, ValueError, TypeError):
        return None
    match answer:
        case ("scan", str(), bytes(), bytes(), bytes(), dict(), bytes(), int()):
            _, paths, sizes, mtimes, executable, others, seen, count = answer
            with gc_paused():  # many objects, all kept, no cycles
                changed = _listing(paths, sizes, mtimes, executable, others)
            return None if changed is None else Scan(changed, bytearray(seen), count)
        case ("error", str() as module, str() as name, str() as message):
            kind = getattr(sys.modules.get(module), name, None)
            if isinstance(kind, type) and issubclass(kind, UserError):
                try:
                    error = kind(message)
                except TypeError:  # made of other arguments: the caller meets it itself
                    return None
                raise error
    return None


def _answer(walk: Callable[[], Scan]) -> _Answer:
    """What the child sends: its scan as plain values, or the UserError it met."""
    try:
        scan = walk()
    except UserError as err:
        if err.args != (str(err),):  # not remade from its message: the parent meets it itself
            return None
        kind = type(err)
        return ("error", kind.__module__, kind.__qualname__, str(err))
    except Exception:  # the parent walks again and meets it with its traceback
        return None
    try:
        paths = join_paths(scan.changed.keys())
    except ValueError:  # a NUL in a path: not for this form, the parent walks again
        return None
    stats = scan.changed.values()
    others = {
        row: (st.digest, st.etag)
        for row, st in enumerate(stats)
        if st.digest is not None or st.etag is not None
    }
    return (
        "scan",
        paths,
        array("q", [st.size for st in stats]).tobytes(),
        array("q", [st.mtime_ns for st in stats]).tobytes(),
        bytes([st.executable for st in stats]),
        others,
        bytes(scan.seen),
        scan.count,
    )


def _listing(
    joined: str,
    sizes: bytes,
    mtimes: bytes,
    executable: bytes,
    others: dict[int, tuple[str | None, str | None]],
) -> Listing | None:
    """The changed listing sent as columns; None when they do not fit together."""
    paths = joined.split("\0") if joined else []
    n = len(paths)
    if len(sizes) != 8 * n or len(mtimes) != 8 * n or len(executable) != n:
        return None
    size_column, mtime_column = array("q"), array("q")
    size_column.frombytes(sizes)
    mtime_column.frombytes(mtimes)
    flags = map(bool, executable)
    stats = list(map(Stat, size_column, mtime_column, repeat(None), repeat(None), flags))
    for row, extra in others.items():
        match row, extra:
            case int(), (str() | None as digest, str() | None as etag) if 0 <= row < n:
                stat = stats[row]
                stats[row] = Stat(stat.size, stat.mtime_ns, digest, etag, stat.executable)
            case _:
                return None
    changed = dict(zip(paths, stats, strict=True))
    return changed if len(changed) == n else None


def _send(fd: int, answer: _Answer) -> None:
    view = memoryview(encode(answer))
    while view:
        view = view[os.write(fd, view) :]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _threads() -> int:
    """The process's threads: Python's, and on Linux every thread the kernel knows of (a C
    library's own threads included)."""
    count = threading.active_count()
    try:
        return max(count, sum(1 for _ in Path("/proc/self/task").iterdir()))
    except OSError:
        return count
