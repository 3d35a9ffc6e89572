"""The library face of storage sync, spelled as the FastBlocks sync action spells it.

``await sync.paths(local, remote, strategy=...)`` syncs two locations and returns a
:class:`SyncResult`; ``sync.paths_blocking(...)`` (or :func:`sync_paths`) is its twin for scripts.
``await sync.templates()``, ``await sync.settings()`` and ``await sync.cache()`` sync an app's
templates, settings and cache with the storage root set by ``configure`` (see
:mod:`templsync.storage.appsync`).
The work itself is blocking file and network I/O: the coroutine runs it in a worker thread, so an
event loop stays free meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from templsync.progress import Progress, no_progress
from templsync.storage.appsync.cacheops import sync_cache
from templsync.storage.appsync.config import PathLike
from templsync.storage.appsync.results import (
    CacheSyncResult,
    SettingsSyncResult,
    TemplateSyncResult,
)
from templsync.storage.appsync.settings import sync_settings
from templsync.storage.appsync.templates import sync_templates
from templsync.storage.model import SyncResult, SyncStrategy
from templsync.storage.run import sync_paths


class Sync:
    """The ``sync`` object: one method per kind of thing to sync."""

    async def paths(
        self,
        local: str | Path,
        remote: str | Path,
        *,
        strategy: SyncStrategy | None = None,
        progress: Progress = no_progress,
    ) -> SyncResult:
        """Sync the folder ``local`` with ``remote`` (a folder or an fsspec URL)."""
        return await asyncio.to_thread(
            sync_paths, local, remote, strategy or SyncStrategy(), progress=progress
        )

    def paths_blocking(
        self,
        local: str | Path,
        remote: str | Path,
        *,
        strategy: SyncStrategy | None = None,
        progress: Progress = no_progress,
    ) -> SyncResult:
        """:meth:`paths` for code that has no event loop."""
        return sync_paths(local, remote, strategy or SyncStrategy(), progress=progress)

    async def templates(
        self,
        *,
        template_paths: Sequence[PathLike] | None = None,
        patterns: Sequence[str] | None = None,
        strategy: SyncStrategy | None = None,
        storage_bucket: str = "templates",
        progress: Progress = no_progress,
    ) -> TemplateSyncResult:
        """Sync the template folders with ``storage_bucket`` under the storage root, then
        invalidate the cache entries and Jinja bytecode of the templates that changed."""
        return await sync_templates(
            template_paths=template_paths,
            patterns=patterns,
            strategy=strategy,
            storage_bucket=storage_bucket,
            progress=progress,
        )

    async def settings(
        self,
        *,
        settings_path: PathLike | None = None,
        adapter_names: Sequence[str] | None = None,
        strategy: SyncStrategy | None = None,
        storage_bucket: str = "settings",
        reload_config: bool = True,
        progress: Progress = no_progress,
    ) -> SettingsSyncResult:
        """Sync the YAML settings files with ``storage_bucket`` under the storage root, each
        checked before it spreads; then call the reload hook when local files changed."""
        return await sync_settings(
            settings_path=settings_path,
            adapter_names=adapter_names,
            strategy=strategy,
            storage_bucket=storage_bucket,
            reload_config=reload_config,
            progress=progress,
        )

    async def cache(
        self,
        *,
        operation: str = "refresh",
        namespaces: Sequence[str] | None = None,
        keys: Sequence[str] | None = None,
        warm_templates: bool = True,
        strategy: SyncStrategy | None = None,
    ) -> CacheSyncResult:
        """``refresh``, ``invalidate``, ``warm`` or ``clear`` the app's cache namespaces
        (default: templates, bccache, responses)."""
        return await sync_cache(
            operation=operation,
            namespaces=namespaces,
            keys=keys,
            warm_templates=warm_templates,
            strategy=strategy,
        )


sync = Sync()
