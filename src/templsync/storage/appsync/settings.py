"""``sync.settings()``: YAML settings files synced with the storage root, each checked before it
spreads, then the app's reload hook called.

Rules this module keeps:

- Only ``*.yml`` / ``*.yaml`` files are synced; ``adapter_names`` narrows them to
  ``NAME.yml`` / ``NAME.yaml`` for each name.
- Before the sync, every such file on both sides is parsed (PyYAML's safe loader, within
  templsync's limits on nesting and aliases). A file that does not parse on either side is left
  out of the sync, both ways, and reported with its line and column: a broken file never
  overwrites a good one, and the good one stays where it is. A file edited between that check
  and the sync is not checked again.
- ``adapters_affected`` names every settings file the sync changed, either way (its name without
  the extension). After a real run that changed local files, the hook given to
  ``configure(reload=...)`` is called with the adapters changed locally, in the caller's event
  loop (and awaited when it returns an awaitable); ``config_reloaded`` says whether it ran.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import posixpath
from collections.abc import Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from templsync._core.ignore import IgnoreRules
from templsync._limits import LimitError
from templsync._yaml import safe_load
from templsync.progress import Progress, no_progress
from templsync.storage.appsync.config import SETTINGS_PATTERNS, PathLike, StorageConfig, current
from templsync.storage.appsync.folders import (
    changed_names,
    combined,
    fields_of,
    narrowed,
    pairs_of,
    sync_folders,
)
from templsync.storage.appsync.results import InvalidSetting, SettingsSyncResult
from templsync.storage.locations import open_local, open_remote
from templsync.storage.model import SyncStrategy
from templsync.storage.store import Changed, Store

IGNORE_FILE = ".templsyncignore"


@dataclass(frozen=True)
class _Done:
    result: SettingsSyncResult
    changed_locally: tuple[str, ...]  # adapters whose local file the sync changed


async def sync_settings(
    *,
    settings_path: PathLike | None = None,
    adapter_names: Sequence[str] | None = None,
    strategy: SyncStrategy | None = None,
    storage_bucket: str = "settings",
    reload_config: bool = True,
    progress: Progress = no_progress,
    config: StorageConfig | None = None,
) -> SettingsSyncResult:
    """Sync the settings folder (default: the configured one) with ``storage_bucket``."""
    config = config or current()
    done = await asyncio.to_thread(
        _sync,
        settings_path=settings_path,
        adapter_names=adapter_names,
        strategy=strategy,
        storage_bucket=storage_bucket,
        progress=progress,
        config=config,
    )
    result = done.result
    if not (reload_config and done.changed_locally and config.reload is not None):
        return result
    answer = config.reload(done.changed_locally)
    if inspect.isawaitable(answer):
        await answer
    return replace(result, config_reloaded=True)


def sync_settings_blocking(
    *,
    settings_path: PathLike | None = None,
    adapter_names: Sequence[str] | None = None,
    strategy: SyncStrategy | None = None,
    storage_bucket: str = "settings",
    progress: Progress = no_progress,
    config: StorageConfig | None = None,
) -> SettingsSyncResult:
    """:func:`sync_settings` without an event loop, and without the reload hook."""
    return _sync(
        settings_path=settings_path,
        adapter_names=adapter_names,
        strategy=strategy,
        storage_bucket=storage_bucket,
        progress=progress,
        config=config or current(),
    ).result


def _sync(
    *,
    settings_path: PathLike | None,
    adapter_names: Sequence[str] | None,
    strategy: SyncStrategy | None,
    storage_bucket: str,
    progress: Progress,
    config: StorageConfig,
) -> _Done:
    folder = config.settings_path if settings_path is None else Path(os.fspath(settings_path))
    patterns = (
        SETTINGS_PATTERNS
        if adapter_names is None
        else tuple(f"{_escaped(n)}{ext[1:]}" for n in adapter_names for ext in SETTINGS_PATTERNS)
    )
    strategy = narrowed(strategy or SyncStrategy(), patterns, config)
    [(local, remote)] = pairs_of(config, [folder], storage_bucket)
    invalid = _check(local, remote, strategy)
    if invalid:
        left_out = sorted({i.path for i in invalid})
        strategy = replace(
            strategy, exclude=(*strategy.exclude, *(f"/{_escaped(p)}" for p in left_out))
        )
    [synced] = sync_folders([(local, remote)], strategy, progress)
    files = combined([synced])
    r = synced.result
    here = {*r.pulled, *r.merged, *r.deleted_local}
    return _Done(
        SettingsSyncResult(
            **fields_of(files),
            adapters_affected=_adapters(changed_names(synced)),
            invalid=tuple(
                replace(i, path=posixpath.join(local.as_posix(), i.path)) for i in invalid
            ),
        ),
        () if strategy.dry_run else _adapters(sorted(here)),
    )


def _check(local: Path, remote: str, strategy: SyncStrategy) -> list[InvalidSetting]:
    """The settings files, on either side, that do not parse."""
    rules = _rules(local, strategy)
    stores: list[tuple[str, Store]] = [("local", open_local(local))]
    stores.append(
        (
            "remote",
            open_remote(
                remote,
                timeout=strategy.timeout,
                retries=strategy.retry_attempts,
                retry_delay=strategy.retry_delay,
                jobs=strategy.jobs,
            ),
        )
    )
    found: list[InvalidSetting] = []
    for side, store in stores:
        with closing(store):
            for path, stat in sorted(store.listing(rules, no_progress).items()):
                try:
                    data = store.read(path, stat)
                except Changed:
                    continue  # the sync itself sees it changed and leaves it for the next run
                problem = parse_problem(data)
                if problem is not None:
                    line, column, what = problem
                    found.append(InvalidSetting(side, path, line, column, what))
    return found


def parse_problem(data: bytes) -> tuple[int | None, int | None, str] | None:
    """Why ``data`` is not a YAML settings file (line and column from 1), or None."""
    try:
        safe_load(data)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or err.context or "invalid YAML"
        if mark is None:
            return None, None, what
        return mark.line + 1, mark.column + 1, what
    except yaml.YAMLError as err:
        return None, None, str(err)
    except LimitError as err:
        return None, None, str(err)
    return None


def _rules(local: Path, strategy: SyncStrategy) -> IgnoreRules:
    groups: list[Sequence[str]] = [
        ["*", "!*/", *(f"!{p}" for p in strategy.include)],
        strategy.exclude,
    ]
    # An unreadable ignore file: the sync reads it again and says what is wrong with it.
    with suppress(OSError, UnicodeDecodeError):
        groups.append((local / IGNORE_FILE).read_text(encoding="utf-8").splitlines())
    return IgnoreRules.of(*groups)


def _escaped(path: str) -> str:
    """``path`` as a gitignore pattern matching only itself."""
    escaped = "".join(f"\\{c}" if c in "\\*?[]" else c for c in path)
    return escaped[:-1] + "\\ " if escaped.endswith(" ") else escaped


def _adapters(paths: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({posixpath.splitext(posixpath.basename(p))[0] for p in paths}))
