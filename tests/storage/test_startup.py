"""A ``templsync sync`` of two folders that finds nothing to do loads only what such a run uses:
start-up is most of its time, so a module imported at the top of a module on its way (the
writer, the journal, a thread pool, rich) shows here, not in a timing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storage.helpers import files, set_mtime
from templsync.cli.main import COMMANDS
from testing.modules import modules_loaded_by, within
from testing.trees import build_tree

NOT_WHEN_NOTHING_CHANGED = (
    # what writes, and what only writing needs
    "templsync._io.apply",
    "templsync._io.journal",
    "templsync._core.plan",
    "templsync.storage.apply",
    "ctypes",
    "tempfile",
    "shutil",
    # hashing (in threads), merging, remote stores; trees (a walk and its ignore rules use none)
    "concurrent.futures",
    "templsync._core.merge",
    "templsync._core.tree",
    "templsync.storage.remotestore",
    "fsspec",
    # printing, and every other part of templsync
    "rich",
    "jinja2",
    "pygit2",
    "yaml",
    "templsync.cli.render",
    "templsync.instance",
    "templsync.template",
    # the lock's host name, and the default state folder (--state-dir is given)
    "socket",
    "secrets",
    "platformdirs",
)


def test_a_sync_that_changes_nothing_loads_neither_the_writer_nor_any_other_command(
    tmp_path: Path,
) -> None:
    local = build_tree(tmp_path / "local", {"a.txt": "a", "d/b.txt": "b", "d/e/c.txt": "c"})
    for path in ("a.txt", "d/b.txt", "d/e/c.txt"):
        set_mtime(local / path, 1_000_000)  # long ago: recorded as they are, never hashed again
    remote, state = tmp_path / "remote", tmp_path / "state"
    argv = ["sync", str(local), str(remote), "--state-dir", str(state), "-q"]
    done = subprocess.run(
        [sys.executable, "-m", "templsync", *argv], capture_output=True, text=True, check=True
    )
    assert done.stdout == ""
    assert files(remote) == files(local)  # the first run copied; the next finds nothing to do

    modules = modules_loaded_by(argv)
    assert "templsync.storage.localstore" in modules  # the run did walk the folders
    assert {m for m in modules if within(m, NOT_WHEN_NOTHING_CHANGED)} == set()
    assert {f"templsync.cli.{name}" for name in COMMANDS} & modules == {"templsync.cli.sync"}
