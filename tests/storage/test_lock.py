"""The pair lock: held for the run and removed after, a live holder refused, a stale one taken
over with a warning (also a lock written with ``socket.gethostname()``, as older versions did)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from templsync.errors import StaleLockWarning
from templsync.storage.lock import LockedError, pair_lock


def gone_pid() -> int:
    """The pid of a process that has ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def hold(lock: Path, pid: int, *, started: float | None = None) -> None:
    lock.write_text(
        json.dumps({"pid": pid, "host": socket.gethostname(), "started": started or time.time()})
    )


def test_the_lock_names_this_process_and_host_and_goes_with_the_run(tmp_path: Path) -> None:
    lock = tmp_path / "state" / "pair.lock"
    with pair_lock(lock, timeout=3600):
        held = json.loads(lock.read_text())
        assert (held["pid"], held["host"]) == (os.getpid(), socket.gethostname())
    assert not lock.exists()


def test_a_live_holder_on_this_host_refuses_the_run(tmp_path: Path) -> None:
    lock = tmp_path / "pair.lock"
    hold(lock, os.getpid())
    running = pytest.raises(LockedError, match="another sync of this pair is running")
    with running, pair_lock(lock, timeout=3600):
        pytest.fail("the lock was taken")
    assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_the_lock_of_a_process_gone_from_this_host_is_taken_over(tmp_path: Path) -> None:
    lock = tmp_path / "pair.lock"
    pid = gone_pid()
    hold(lock, pid)
    stale = pytest.warns(StaleLockWarning, match=f"its process {pid} is gone")
    with stale, pair_lock(lock, timeout=3600):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert list(tmp_path.iterdir()) == []  # no lock, and nothing left of the stale one


def test_a_lock_older_than_the_timeout_is_taken_over(tmp_path: Path) -> None:
    lock = tmp_path / "pair.lock"
    hold(lock, os.getpid(), started=time.time() - 120)
    with pytest.warns(StaleLockWarning, match="older than 60 s"), pair_lock(lock, timeout=60):
        assert json.loads(lock.read_text())["started"] > time.time() - 60
