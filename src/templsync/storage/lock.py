"""One sync at a time per (LOCAL, REMOTE) pair: a lock file beside the pair's state.

Rules this module keeps:

- The lock is created atomically (``O_CREAT | O_EXCL``) and holds the owner's pid, host and
  start time; it is removed when the run ends, however it ends.
- A lock is stale when its owner is dead (same host, no such process) or it is older than the
  lock timeout. A stale lock is taken over with a warning: it is first renamed aside (only one
  of two runs racing for it can do that), then created afresh.
- A live lock makes the run fail with :class:`LockedError`, changing nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from templsync._warned import give
from templsync.errors import StaleLockWarning, UserError


class LockedError(UserError):
    """Another sync of the same pair is running."""


@contextlib.contextmanager
def pair_lock(path: Path, *, timeout: float) -> Iterator[None]:
    """Hold the lock at ``path`` for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _acquire(path, timeout)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _acquire(path: Path, timeout: float) -> None:
    for _ in range(3):
        if _create(path):
            return
        holder = _read(path)
        if holder is None:
            continue  # removed meanwhile, or half-written: try again
        why = _stale(holder, timeout)
        if why is None:
            raise LockedError(
                f"another sync of this pair is running (pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {_when(holder)}; lock {str(path)!r}). Wait for it "
                "to finish; if it is gone, delete the lock file or use --lock-timeout."
            )
        aside = path.with_name(f"{path.name}.stale-{os.urandom(4).hex()}")
        try:
            path.rename(aside)
        except FileNotFoundError:
            continue  # another run took it over first
        aside.unlink(missing_ok=True)
        give(StaleLockWarning(f"took over a stale sync lock ({why})."), stacklevel=3)
    raise LockedError(f"could not take the sync lock {str(path)!r}; try again.")


def _create(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    except FileExistsError:
        return False
    except OSError as err:
        raise LockedError(
            f"cannot create the sync lock {str(path)!r}: {err.strerror}. Check the permissions "
            "of the state folder, or choose another with --state-dir."
        ) from err
    with os.fdopen(fd, "w") as f:
        json.dump({"pid": os.getpid(), "host": _host(), "started": time.time()}, f)
    return True


def _read(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        # Unreadable: stale once old enough (its mtime stands for its start).
        try:
            return {"pid": None, "host": None, "started": path.stat().st_mtime}
        except OSError:
            return None
    return data if isinstance(data, dict) else {"started": 0}


def _stale(holder: dict[str, object], timeout: float) -> str | None:
    """Why the lock ``holder`` describes is stale, or None when it is live."""
    started = holder.get("started")
    age = time.time() - started if isinstance(started, int | float) else float("inf")
    if age > timeout:
        return f"older than {timeout:g} s"
    pid = holder.get("pid")
    if holder.get("host") == _host() and isinstance(pid, int) and not _alive(pid):
        return f"its process {pid} is gone"
    return None


def _host() -> str:
    """This machine's name, as ``socket.gethostname()`` gives it (without loading ``socket``,
    ~2 ms of every run)."""
    return os.uname().nodename


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _when(holder: dict[str, object]) -> str:
    started = holder.get("started")
    if not isinstance(started, int | float):
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
