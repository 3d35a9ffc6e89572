"""Storage sync: a local folder and a remote location (a folder or any fsspec URL) kept in sync,
one way or both, with the engine's three-way logic against the last successful sync.

``await sync.paths(local, remote, strategy=SyncStrategy(...))`` returns a :class:`SyncResult`;
``sync_paths`` is the blocking twin. The names below load on first use, so importing this package
loads neither fsspec nor the sync machinery until it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from templsync.storage.api import Sync, sync
    from templsync.storage.model import (
        ConflictNote,
        ConflictStrategy,
        SyncDirection,
        SyncResult,
        SyncStrategy,
    )
    from templsync.storage.run import TooManyDeletesError, sync_paths
else:
    from templsync._lazy import lazy_exports

    _SOURCES = {
        "templsync.storage.api": ("Sync", "sync"),
        "templsync.storage.model": (
            "ConflictNote",
            "ConflictStrategy",
            "SyncDirection",
            "SyncResult",
            "SyncStrategy",
        ),
        "templsync.storage.run": ("TooManyDeletesError", "sync_paths"),
    }
    __getattr__, __dir__ = lazy_exports("templsync.storage", _SOURCES, globals())

__all__ = [
    "ConflictNote",
    "ConflictStrategy",
    "Sync",
    "SyncDirection",
    "SyncResult",
    "SyncStrategy",
    "TooManyDeletesError",
    "sync",
    "sync_paths",
]
