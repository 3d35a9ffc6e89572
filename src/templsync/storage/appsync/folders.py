"""Local folders synced with their places under the storage root, through the engine.

Rules this module keeps:

- Every folder is one :func:`~templsync.storage.run.sync_paths` pair with its own state and
  lock; folders run side by side, at most ``strategy.jobs`` at a time (one: in this thread, one
  after the other).
- One folder syncs with the bucket itself; several sync with ``bucket/<folder name>`` each, and
  two folders of the same name are refused before anything runs.
- ``patterns`` narrow the sync to matching files (gitignore syntax), on top of the strategy's own
  ``include``; the configured state folder stands in when the strategy names none.
- Results name files by their local path (the folder as given, joined with the file's path).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from templsync.errors import UserError
from templsync.progress import Progress
from templsync.storage.appsync.config import PathLike, StorageConfig
from templsync.storage.appsync.results import FilesSync, FolderSync
from templsync.storage.model import SyncStrategy
from templsync.storage.run import sync_paths


def pairs_of(
    config: StorageConfig, folders: Sequence[PathLike], bucket: str
) -> tuple[tuple[Path, str], ...]:
    """``(local folder, remote location)`` for each folder."""
    paths = tuple(Path(os.fspath(f)) for f in folders)
    if not paths:
        raise UserError("no folder to sync: give at least one template folder.")
    if len(paths) == 1:
        return ((paths[0], config.bucket(bucket)),)
    names: dict[str, Path] = {}
    for path in paths:
        name = path.absolute().name
        if name in names:
            raise UserError(
                f"the folders {str(names[name])!r} and {str(path)!r} would both sync with "
                f"'{bucket}/{name}': rename one, or sync them with separate storage_bucket "
                "values."
            )
        names[name] = path
    return tuple((path, config.bucket(f"{bucket}/{path.absolute().name}")) for path in paths)


def narrowed(
    strategy: SyncStrategy, patterns: Sequence[str], config: StorageConfig
) -> SyncStrategy:
    return replace(
        strategy,
        include=(*patterns, *strategy.include),
        state_dir=strategy.state_dir or config.state_dir,
    )


def sync_folders(
    pairs: Sequence[tuple[Path, str]], strategy: SyncStrategy, progress: Progress
) -> tuple[FolderSync, ...]:
    def one(pair: tuple[Path, str]) -> FolderSync:
        local, remote = pair
        return FolderSync(
            local.as_posix(), remote, sync_paths(local, remote, strategy, progress=progress)
        )

    workers = min(len(pairs), strategy.jobs)
    if workers <= 1:
        return tuple(map(one, pairs))
    with ThreadPoolExecutor(workers, thread_name_prefix="templsync-folder") as pool:
        return tuple(pool.map(one, pairs))


def combined(folders: Sequence[FolderSync]) -> FilesSync:
    """What the syncs of ``folders`` did, as one result, paths made local."""

    def local(attr: str) -> tuple[str, ...]:
        return tuple(posixpath.join(f.local, p) for f in folders for p in getattr(f.result, attr))

    return FilesSync(
        pushed=local("pushed"),
        pulled=local("pulled"),
        merged=local("merged"),
        deleted_local=local("deleted_local"),
        deleted_remote=local("deleted_remote"),
        conflicts=tuple(
            replace(c, path=posixpath.join(f.local, c.path))
            for f in folders
            for c in f.result.conflicts
        ),
        backed_up=tuple(b for f in folders for b in f.result.backed_up),
        folders=tuple(folders),
        dry_run=any(f.result.dry_run for f in folders),
    )


def fields_of(files: FilesSync) -> dict[str, Any]:
    """``files`` as keyword arguments for a result that extends it."""
    return {f.name: getattr(files, f.name) for f in fields(FilesSync)}


def changed_names(folder: FolderSync) -> tuple[str, ...]:
    """The paths in ``folder`` that a sync copied, merged or deleted, either way."""
    r = folder.result
    return tuple(sorted({*r.pushed, *r.pulled, *r.merged, *r.deleted_local, *r.deleted_remote}))
