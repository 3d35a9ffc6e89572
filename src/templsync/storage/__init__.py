"""Storage sync: a local folder and a remote location (a folder or any fsspec URL) kept in sync,
one way or both, with the engine's three-way logic against the last successful sync.

``await sync.paths(local, remote, strategy=SyncStrategy(...))`` returns a :class:`SyncResult`;
``sync_paths`` is the blocking twin. ``configure(root=URL)`` (or ``TEMPLSYNC_STORAGE_ROOT``) says
where an app's storage is, for ``await sync.templates()``, ``sync.settings()`` and
``sync.cache()``. The names below load on first use, so importing this package
loads neither fsspec nor the sync machinery until it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from templsync.storage.api import Sync, sync
    from templsync.storage.appsync.config import StorageConfig, configure
    from templsync.storage.appsync.jinja import CacheBytecodeCache, CachedLoader
    from templsync.storage.appsync.results import (
        CacheSyncResult,
        SettingsSyncResult,
        TemplateSyncResult,
    )
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
        "templsync.storage.appsync.config": ("StorageConfig", "configure"),
        "templsync.storage.appsync.jinja": ("CacheBytecodeCache", "CachedLoader"),
        "templsync.storage.appsync.results": (
            "CacheSyncResult",
            "SettingsSyncResult",
            "TemplateSyncResult",
        ),
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
    "CacheBytecodeCache",
    "CacheSyncResult",
    "CachedLoader",
    "ConflictNote",
    "ConflictStrategy",
    "SettingsSyncResult",
    "StorageConfig",
    "Sync",
    "SyncDirection",
    "SyncResult",
    "SyncStrategy",
    "TemplateSyncResult",
    "TooManyDeletesError",
    "configure",
    "sync",
    "sync_paths",
]
