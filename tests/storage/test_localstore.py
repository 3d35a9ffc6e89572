"""The walk of a folder side (``LocalStore.scan``): what it lists, what it leaves out, and that
each folder's descriptor is closed whatever happens."""

from __future__ import annotations

import os
from pathlib import Path

from templsync._core.ignore import IgnoreRules
from templsync._io.journaldir import JOURNAL_DIR
from templsync.errors import ReadError
from templsync.progress import no_progress
from templsync.storage.localstore import LocalStore
from templsync.storage.model import Stat
from templsync.storage.store import TEMP_MARK
from testing.forked import call_unprivileged
from testing.trees import build_tree


def open_descriptors() -> set[str]:
    """The numbers of the descriptors this process holds open."""
    return {p.name for p in Path("/proc/self/fd").iterdir()}


def test_the_walk_lists_regular_files_only_and_skips_the_writers_own(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "root",
        {
            "a.txt": "a",
            "run.sh": "#!/bin/sh\n",
            "sub/b.txt": "bb",
            "sub/deep/c.txt": "ccc",
            f"{TEMP_MARK}tmp-1": "a temp file",
            f"sub/{TEMP_MARK}tmp-2": "a temp file below",
            f"{JOURNAL_DIR}/entry": "the journal",
            f"sub/{JOURNAL_DIR}/entry": "a name of the writer's below too",
            "build/out.bin": "ignored folder",
            "sub/build/x.txt": "ignored folder below",
            "debug.log": "ignored file",
            "elsewhere/e.txt": "reached through a link only",
        },
    )
    (root / "run.sh").chmod(0o755)
    (root / "link.txt").symlink_to(root / "a.txt")
    (root / "sub" / "linked").symlink_to(root / "elsewhere", target_is_directory=True)
    (root / "broken").symlink_to(root / "nothing")
    os.mkfifo(root / "sub" / "pipe")
    os.utime(root / "sub" / "b.txt", ns=(0, 1_234_567_891))

    listed = LocalStore(root).listing(IgnoreRules.of(["build/", "*.log"]), no_progress)

    assert sorted(listed) == [
        "a.txt",
        "elsewhere/e.txt",
        "run.sh",
        "sub/b.txt",
        "sub/deep/c.txt",
    ]
    assert listed["sub/b.txt"] == Stat(2, 1_234_567_891, None, None, False)
    assert listed["run.sh"].executable
    assert not listed["a.txt"].executable
    assert listed["sub/deep/c.txt"].size == 3


def test_the_walk_closes_each_folder_it_opens(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "root", {f"d{i}/e{j}/f.txt": "f" for i in range(5) for j in range(5)}
    )
    before = open_descriptors()
    listed = LocalStore(root).listing(IgnoreRules.of(), no_progress)
    assert len(listed) == 25
    assert open_descriptors() == before


def test_a_walk_that_fails_on_a_folder_closes_what_it_opened(public_dir: Path) -> None:
    root = build_tree(
        public_dir / "root", {"a.txt": "a", "sub/b.txt": "b", "sub/locked/c.txt": "c"}
    )
    for folder in (root, root / "sub"):
        folder.chmod(0o755)
    (root / "sub" / "locked").chmod(0o000)

    def walk() -> None:
        before = open_descriptors()
        try:
            LocalStore(root).listing(IgnoreRules.of(), no_progress)
        except ReadError:
            if open_descriptors() != before:
                raise AssertionError("a folder's descriptor was left open") from None
            raise

    outcome = call_unprivileged(walk)
    (root / "sub" / "locked").chmod(0o755)
    assert outcome == (
        f"ReadError: cannot read the folder 'sub/locked/' in '{root}': Permission denied."
    )
