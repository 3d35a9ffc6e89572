"""``sync.templates()``: template folders synced with the storage root, then the changed
templates' cache entries invalidated.

Rules this module keeps:

- Only files matching the patterns (default ``*.html``, ``*.jinja``, ``*.j2``) are synced.
- Every template a sync changed, either way (copied, merged or deleted), loses its
  ``{app}:templates:{name}`` entry and its ``{app}:bccache:{name}`` bytecode, ``name`` being its
  path in its folder (its Jinja name), so an app reading through the cache (see :mod:`jinja`)
  serves the new version on its next render.
- The files land first; a cache that does not answer is reported in the result
  (``cache_reached``), never raised. A dry run touches neither files nor cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from templsync.progress import Progress, no_progress
from templsync.storage.appsync.cache import CacheUnreachable, key_of, retried
from templsync.storage.appsync.config import PathLike, StorageConfig, current
from templsync.storage.appsync.folders import (
    changed_names,
    combined,
    fields_of,
    narrowed,
    pairs_of,
    sync_folders,
)
from templsync.storage.appsync.results import TemplateSyncResult
from templsync.storage.model import SyncStrategy


async def sync_templates(
    *,
    template_paths: Sequence[PathLike] | None = None,
    patterns: Sequence[str] | None = None,
    strategy: SyncStrategy | None = None,
    storage_bucket: str = "templates",
    progress: Progress = no_progress,
    config: StorageConfig | None = None,
) -> TemplateSyncResult:
    """Sync ``template_paths`` (default: the configured ones) with ``storage_bucket``."""
    return await asyncio.to_thread(
        sync_templates_blocking,
        template_paths=template_paths,
        patterns=patterns,
        strategy=strategy,
        storage_bucket=storage_bucket,
        progress=progress,
        config=config,
    )


def sync_templates_blocking(
    *,
    template_paths: Sequence[PathLike] | None = None,
    patterns: Sequence[str] | None = None,
    strategy: SyncStrategy | None = None,
    storage_bucket: str = "templates",
    progress: Progress = no_progress,
    config: StorageConfig | None = None,
) -> TemplateSyncResult:
    """:func:`sync_templates` without an event loop."""
    config = config or current()
    strategy = narrowed(
        strategy or SyncStrategy(),
        config.template_patterns if patterns is None else patterns,
        config,
    )
    pairs = pairs_of(
        config, config.template_paths if template_paths is None else template_paths, storage_bucket
    )
    folders = sync_folders(pairs, strategy, progress)
    files = combined(folders)
    names = sorted({name for folder in folders for name in changed_names(folder)})
    templates = tuple(key_of(config.app, "templates", n) for n in names)
    bytecode = tuple(key_of(config.app, "bccache", n) for n in names)
    if strategy.dry_run or not names:
        return TemplateSyncResult(
            **fields_of(files), cache_invalidated=templates, bytecode_cleared=bytecode
        )
    cache = config.the_cache()
    try:
        retried(
            lambda: cache.delete((*templates, *bytecode)),
            attempts=strategy.retry_attempts,
            delay=strategy.retry_delay,
        )
    except CacheUnreachable as err:
        return TemplateSyncResult(**fields_of(files), cache_reached=False, cache_error=str(err))
    return TemplateSyncResult(
        **fields_of(files), cache_invalidated=templates, bytecode_cleared=bytecode
    )
