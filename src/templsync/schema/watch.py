"""``schema watch``: regenerate when a model file changes, after the debounce; report each run.

The files watched are the ones the last generation was made from (every project file imported
with the models, as the state records them) and the configured model modules' files; their
folders are watched, and a change to any other file there is ignored. After a change, the
watcher waits until no file changed for ``watch_debounce_seconds`` (a burst of saves is one
regeneration), then runs one sync: by default in this process (:func:`sync_here`: the models are
imported afresh each time, so a regeneration takes about as long as a sync without start-up), or
through ``run`` (the FastAPI helper runs each one as a process of its own, so the application's
own modules are never reloaded).

The first sync is reported once the watch is set up, so a change made after that report is
never missed; a model file changed while the first sync ran is regenerated after the debounce.
Every regeneration, and every one that failed (a model file saved half-way, with a syntax
error), is reported to ``report`` as a :class:`WatchEvent`; a failure does not stop the watcher.
Nothing is printed here. This module imports watchfiles and pydantic-settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import watchfiles

from templsync.errors import TemplsyncError
from templsync.schema.generate import module_files
from templsync.schema.model import SchemaError
from templsync.schema.project import Project, find_project
from templsync.schema.settings import SchemaSettings, load_settings
from templsync.schema.state import read_state
from templsync.schema.sync import SyncOptions, SyncResult, sync

if TYPE_CHECKING:
    import threading


@dataclass(frozen=True)
class WatchEvent:
    """One regeneration: the files whose change caused it (none: the first, at start),
    what the sync did, or the error that stopped it, and how long it took."""

    changed: tuple[str, ...]
    result: SyncResult | None
    error: str | None
    seconds: float


Runner = Callable[[Path, SyncOptions], SyncResult]
_TICK_MS = 25  # how often the watcher looks at the clock: the debounce is kept to this much


def sync_here(root: Path, options: SyncOptions) -> SyncResult:
    return sync(root, options)


class WatchingOffError(SchemaError):
    """Watching is turned off by the settings."""


def watched_files(project: Project, settings: SchemaSettings) -> set[Path]:
    files = {f.resolve() for m in settings.models for f in module_files(project.root, m)}
    state = read_state(project)
    if state is not None:
        files.update(project.path(p).resolve() for p in state.sources)
    return files


def watch(
    start: Path,
    report: Callable[[WatchEvent], None],
    *,
    stop: threading.Event | None = None,
    run: Runner = sync_here,
    dry_run: bool = False,
    debounce: float | None = None,
    initial: bool = True,
) -> None:
    """Sync once (unless not ``initial``), then again after every change to a model file,
    until ``stop`` is set."""
    project = find_project(start)
    settings = load_settings(project)
    if not settings.watching:
        why = "environment = production" if settings.production else "watch_enabled = false"
        raise WatchingOffError(f"watching is turned off by the settings ({why}).")
    wait = settings.watch_debounce_seconds if debounce is None else debounce
    options = SyncOptions(dry_run=dry_run)
    before = _stamps(watched_files(project, settings))
    first = run_once(project.root, (), run, options) if initial else None
    files = watched_files(project, settings)
    changes: Iterable[set[tuple[watchfiles.Change, str]]] = watchfiles.watch(
        *sorted({f.parent for f in files}),
        watch_filter=lambda _change, path: Path(path).resolve() in files,
        step=_TICK_MS,
        debounce=_TICK_MS,
        stop_event=stop,
        rust_timeout=_TICK_MS,
        yield_on_timeout=True,  # an empty batch every tick: the quiet time is measured here
        raise_interrupt=True,
    )
    pending: set[str] = set()
    last = 0.0
    armed = False
    for batch in changes:
        if not armed:
            # the first batch comes once the watch is set up: the start is reported now, so a
            # change made after the report is seen, and one made during the first sync counts
            armed = True
            if first is not None:
                report(first)
            edited = {f for f, stamp in before.items() if _stamp(f) != stamp}
            pending.update(_relative(project.root, str(f)) for f in edited)
            last = time.monotonic()
        if batch:
            pending.update(_relative(project.root, p) for _, p in batch)
            # watchfiles gives a batch once no file changed for one step: the quiet time began
            # at least that long ago
            last = time.monotonic() - _TICK_MS / 1000
            continue
        if not pending or time.monotonic() - last < wait:
            continue
        changed = tuple(sorted(pending))
        pending.clear()
        report(run_once(project.root, changed, run, options))
        files |= watched_files(project, settings)  # a new module imported by the models


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _stamps(files: set[Path]) -> dict[Path, tuple[int, int] | None]:
    return {f: _stamp(f) for f in files}


def _relative(root: Path, path: str) -> str:
    full = Path(path).resolve()
    base = root.resolve()
    return full.relative_to(base).as_posix() if full.is_relative_to(base) else path


def run_once(root: Path, changed: tuple[str, ...], run: Runner, options: SyncOptions) -> WatchEvent:
    """One sync through ``run``, its outcome or its error as an event."""
    started = time.perf_counter()
    try:
        result = run(root, options)
    except TemplsyncError as e:
        return WatchEvent(changed, None, str(e), time.perf_counter() - started)
    except Exception as e:  # a bug must not end the watch: it is reported like any failure
        error = f"{type(e).__name__}: {e}"
        return WatchEvent(changed, None, error, time.perf_counter() - started)
    return WatchEvent(changed, result, None, time.perf_counter() - started)
