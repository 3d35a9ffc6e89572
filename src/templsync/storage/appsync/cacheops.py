"""``sync.cache()``: the app's cache namespaces refreshed, invalidated, warmed or cleared.

Rules this module keeps:

- ``invalidate`` removes the given ``keys`` (``{app}:{namespace}:{key}`` in each namespace), or
  every key of the namespaces; then, with ``warm_templates`` (the default), warms the templates.
  ``refresh`` is invalidate-then-warm, always. ``clear`` empties whole namespaces and warms
  nothing. ``warm`` writes each template's source (``templates``) and compiled bytecode
  (``bccache``); other namespaces (``responses``: what an app rendered) have nothing to warm.
- The templates warmed are the configured folders' files matching the configured patterns
  (only ``keys`` among them, when given), compiled with the configured Jinja environment.
- Only keys that were there are reported invalidated. A dry run reads the cache, writes nothing
  and says what it would do.
- A cache that does not answer (after ``retry_attempts`` retries) ends the operation with
  ``cache_reached`` False and what was done until then; it is never raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

from templsync.errors import UserError
from templsync.storage.appsync.cache import NAMESPACES, CacheUnreachable, key_of, prefix_of, retried
from templsync.storage.appsync.config import StorageConfig, current
from templsync.storage.appsync.jinja import template_names, warm
from templsync.storage.appsync.results import CacheSyncResult
from templsync.storage.model import SyncStrategy

OPERATIONS = ("refresh", "invalidate", "warm", "clear")
T = TypeVar("T")


async def sync_cache(
    *,
    operation: str = "refresh",
    namespaces: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    warm_templates: bool = True,
    strategy: SyncStrategy | None = None,
    config: StorageConfig | None = None,
) -> CacheSyncResult:
    """Carry out ``operation`` on ``namespaces`` (default: templates, bccache, responses)."""
    return await asyncio.to_thread(
        sync_cache_blocking,
        operation=operation,
        namespaces=namespaces,
        keys=keys,
        warm_templates=warm_templates,
        strategy=strategy,
        config=config,
    )


def sync_cache_blocking(
    *,
    operation: str = "refresh",
    namespaces: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    warm_templates: bool = True,
    strategy: SyncStrategy | None = None,
    config: StorageConfig | None = None,
) -> CacheSyncResult:
    """:func:`sync_cache` without an event loop."""
    config = config or current()
    strategy = strategy or SyncStrategy()
    spaces = tuple(NAMESPACES if namespaces is None else namespaces)
    _check(operation, spaces, keys)
    run = _Run(config, strategy, spaces, keys)
    try:
        if operation in ("refresh", "invalidate", "clear"):
            run.remove(clear=operation == "clear")
        if operation in ("refresh", "warm") or (operation == "invalidate" and warm_templates):
            run.warm()
    except CacheUnreachable as err:
        return run.result(operation, reached=False, error=str(err))
    return run.result(operation)


def _check(operation: str, spaces: Sequence[str], keys: Sequence[str] | None) -> None:
    if operation not in OPERATIONS:
        raise UserError(f"cache operation {operation!r}: give one of {', '.join(OPERATIONS)}.")
    for space in spaces:
        if not space or ":" in space:
            raise UserError(f"cache namespace {space!r}: give a non-empty name without ':'.")
    if operation == "clear" and keys is not None:
        raise UserError(
            "clear empties whole namespaces: use operation='invalidate' to remove some keys."
        )


class _Run:
    def __init__(
        self,
        config: StorageConfig,
        strategy: SyncStrategy,
        spaces: tuple[str, ...],
        keys: Sequence[str] | None,
    ) -> None:
        self.config = config
        self.cache = config.the_cache()
        self.strategy = strategy
        self.spaces = spaces
        self.keys = keys
        self.invalidated: list[str] = []
        self.cleared: list[str] = []
        self.warmed: list[str] = []
        self.errors: list[str] = []

    def _try(self, call: Callable[[], T]) -> T:
        return retried(call, attempts=self.strategy.retry_attempts, delay=self.strategy.retry_delay)

    def remove(self, *, clear: bool) -> None:
        for space in self.spaces:
            prefix = prefix_of(self.config.app, space)
            present = self._try(lambda p=prefix: self.cache.keys(p))  # type: ignore[misc]
            if self.keys is not None:
                wanted = {key_of(self.config.app, space, k) for k in self.keys}
                present = [k for k in present if k in wanted]
            if present and not self.strategy.dry_run:
                self._try(lambda found=present: self.cache.delete(found))  # type: ignore[misc]
            self.invalidated.extend(present)
            if clear:
                self.cleared.append(space)

    def warm(self) -> None:
        spaces = [s for s in self.spaces if s in ("templates", "bccache")]
        if not spaces:
            return
        names = template_names(self.config.template_paths, self.config.template_patterns)
        if self.keys is not None:
            names = [n for n in names if n in set(self.keys)]
        if self.strategy.dry_run:
            self.warmed.extend(key_of(self.config.app, s, n) for n in names for s in spaces)
            return
        warmed, errors = self._try(lambda: warm(self.config, names, spaces))
        self.warmed.extend(warmed)
        self.errors.extend(errors)

    def result(
        self, operation: str, *, reached: bool = True, error: str | None = None
    ) -> CacheSyncResult:
        return CacheSyncResult(
            operation=operation,
            namespaces=self.spaces,
            invalidated_keys=tuple(self.invalidated),
            warmed_keys=tuple(self.warmed),
            cleared_namespaces=tuple(self.cleared),
            warm_errors=tuple(self.errors),
            cache_reached=reached,
            cache_error=error,
            dry_run=self.strategy.dry_run,
        )
