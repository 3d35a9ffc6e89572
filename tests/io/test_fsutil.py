"""Making folders durable: from threads at once for a small plan, one after the other for a big
one (a large sync lands as hundreds of big plans; threads for each kept memory resident)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from templsync._io.fsutil import FSYNC_PARALLEL_FROM, SYNCFS_FOLDERS_FROM, SYNCFS_FROM, sync_folders


@contextmanager
def _threads_started() -> Iterator[list[str]]:
    """The names of the threads started inside the block."""
    started: list[str] = []

    def trace(_frame: FrameType, _event: str, _arg: object) -> None:
        started.append(threading.current_thread().name)

    previous = threading.gettrace()
    threading.settrace(trace)
    try:
        yield started
    finally:
        threading.settrace(previous)


def _folders(root: Path) -> list[Path]:
    count = max(FSYNC_PARALLEL_FROM, SYNCFS_FOLDERS_FROM - 1)
    assert FSYNC_PARALLEL_FROM <= count < SYNCFS_FOLDERS_FROM  # fsynced one each, not syncfs
    folders = [root / f"d{i}" for i in range(count)]
    for folder in folders:
        folder.mkdir()
    return folders


def test_a_small_plans_folders_are_fsynced_from_threads_at_once(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    with _threads_started() as started:
        sync_folders(folders, tmp_path, plan_size=10)
    assert started and all(name.startswith("templsync-io-") for name in started)


def test_a_big_plans_folders_are_fsynced_without_starting_threads(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    with _threads_started() as started:
        sync_folders(folders, tmp_path, plan_size=SYNCFS_FROM)
    assert started == []


def test_a_folder_gone_meanwhile_is_skipped(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    folders[0].rmdir()
    for size in (10, SYNCFS_FROM):
        sync_folders(folders, tmp_path, plan_size=size)  # no error: nothing of ours to sync there
