"""The library face of storage sync, spelled as the FastBlocks sync action spells it.

``await sync.paths(local, remote, strategy=...)`` syncs two locations and returns a
:class:`SyncResult`; ``sync.paths_blocking(...)`` (or :func:`sync_paths`) is its twin for scripts.
The work itself is blocking file and network I/O: the coroutine runs it in a worker thread, so an
event loop stays free meanwhile.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from templsync.progress import Progress, no_progress
from templsync.storage.model import SyncResult, SyncStrategy
from templsync.storage.run import sync_paths


class Sync:
    """The ``sync`` object: one method per kind of thing to sync (for now, two locations)."""

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


sync = Sync()
