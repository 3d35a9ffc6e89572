"""Helpers for the migrate tests: files written and read as ``{path: bytes}``, snapshots of a
folder to prove nothing was written, and a clock that ticks one second per call."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from templsync.migrate.store import APPLIED_FILE, MIGRATIONS_DIR

Files = dict[str, bytes]

# The writer fsyncs every file and folder: on tmpfs that costs nothing.
FAST_TMP = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


class Clock:
    """A ``now`` callable: 2024-01-01 00:00:00 UTC, then one second later on each call."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2024, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        moment = self.moment
        self.moment += timedelta(seconds=1)
        return moment


def write_files(root: Path, files: Mapping[str, bytes]) -> None:
    """Write each file under ``root``, creating folders as needed."""
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def sync_files(root: Path, old: Mapping[str, bytes], new: Mapping[str, bytes]) -> None:
    """Turn the files ``old`` under ``root`` into ``new``: deleted files go, with the folders
    they leave empty; changed and added files are written."""
    for path in old:
        if path not in new:
            (root / path).unlink()
            parent = (root / path).parent
            while parent != root and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    write_files(root, {p: d for p, d in new.items() if old.get(p) != d})


def read_files(root: Path) -> Files:
    """Every file under ``root`` by its relative POSIX path."""
    out: Files = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            full = Path(dirpath) / name
            out[full.relative_to(root).as_posix()] = full.read_bytes()
    return out


def project_files(root: Path) -> Files:
    """The files of a project folder, without its migrations and ``applied-migrations.json``."""
    return {
        p: d
        for p, d in read_files(root).items()
        if not p.startswith(MIGRATIONS_DIR + "/") and p != APPLIED_FILE
    }


def listing(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (folders too, as None) and each file's bytes; {} if missing."""
    if not root.exists():
        return {}
    out: dict[str, bytes | None] = {}
    for dirpath, dirs, names in os.walk(root):
        for name in dirs:
            out[(Path(dirpath) / name).relative_to(root).as_posix() + "/"] = None
        for name in names:
            full = Path(dirpath) / name
            out[full.relative_to(root).as_posix()] = full.read_bytes()
    return out


def copy_project(source: Path, target: Path) -> None:
    """Copy a project folder, leaving out its ``migrations/``."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(MIGRATIONS_DIR))


def migration_names(template: Path) -> list[str]:
    """The migration folders of ``template``, oldest first."""
    folder = template / MIGRATIONS_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
