"""Schema sync in a running application: a sync at start-up, and the watcher in development.

:func:`schema_sync` is an async context manager for a FastAPI (or any ASGI) lifespan::

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with schema_sync():
            yield

    app = FastAPI(lifespan=lifespan)        # or FastAPI(lifespan=schema_sync_lifespan())

At start-up it runs one sync when ``auto_sync_enabled`` (and not in production), then, when
watching is on, starts :func:`templsync.schema.watch.watch` in a thread, stopped and joined when
the application stops. Every sync runs as a process of its own (``python -m templsync schema
sync``): the application has imported its models already, and a sync imports them afresh, which
must not happen inside the application. The application's process never reloads anything: with
``uvicorn --reload`` the regenerated file reloads it. Outcomes are logged on the
``templsync.schema`` logger (conflicts and failures as warnings); nothing stops the application.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from templsync.schema.model import SchemaError
from templsync.schema.project import find_project
from templsync.schema.settings import load_settings
from templsync.schema.sync import SyncOptions, SyncResult
from templsync.schema.watch import WatchEvent, run_once, watch

log = logging.getLogger("templsync.schema")


def sync_process(root: Path, options: SyncOptions) -> SyncResult:
    """One sync as a process of its own, in ``root``; its JSON report read back."""
    command = [sys.executable, "-m", "templsync", "schema", "sync", "-C", str(root), "--json"]
    if options.dry_run:
        command.append("--dry-run")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=root)
    if done.returncode not in (0, 2):
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise SchemaError(lines[-1] if lines else f"schema sync exited with {done.returncode}")
    data = json.loads(done.stdout)
    return SyncResult(
        root=Path(data["root"]),
        output=data["output"],
        fast=data["noChangePath"],
        changed=data["changed"],
        written=data["written"],
        conflicts=data["conflicts"],
        diff=data["diff"],
        backup=data["backup"],
        models=data["models"],
        schemas=data["schemas"],
        modules=tuple(data["modules"]),
    )


def log_event(event: WatchEvent) -> None:
    why = f"{', '.join(event.changed)} changed" if event.changed else "start-up"
    if event.error is not None:
        log.warning("schema sync after %s failed: %s", why, event.error)
    elif event.result is not None and event.result.conflicts:
        log.warning(
            "schema sync after %s left %d conflict(s) in %s: resolve the markers",
            why,
            event.result.conflicts,
            event.result.output,
        )
    elif event.result is not None and event.result.written:
        log.info("schemas written to %s after %s (%.2f s)", event.result.output, why, event.seconds)
    elif event.result is not None:
        log.info("schemas in %s are up to date (%s)", event.result.output, why)


@asynccontextmanager
async def schema_sync(
    directory: Path | str | None = None,
    *,
    run: Callable[[Path, SyncOptions], SyncResult] = sync_process,
    report: Callable[[WatchEvent], None] = log_event,
) -> AsyncIterator[None]:
    """Sync at start-up and watch in development while the block runs (see the module)."""
    project = find_project(Path.cwd() if directory is None else Path(directory))
    settings = load_settings(project)
    if settings.auto_sync:
        report(await asyncio.to_thread(run_once, project.root, (), run, SyncOptions()))
    stop = threading.Event()
    thread = None
    if settings.watching:
        thread = threading.Thread(
            target=_watch,
            args=(project.root, report, stop, run),
            name="templsync-schema-watch",
            daemon=True,
        )
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread is not None:
            await asyncio.to_thread(thread.join, 10.0)


def _watch(
    root: Path,
    report: Callable[[WatchEvent], None],
    stop: threading.Event,
    run: Callable[[Path, SyncOptions], SyncResult],
) -> None:
    try:
        watch(root, report, stop=stop, run=run, initial=False)
    except Exception as e:  # the watcher thread ends; the application goes on
        log.warning("the schema watcher stopped: %s", e)


def schema_sync_lifespan(
    directory: Path | str | None = None,
) -> Callable[[object], AbstractAsyncContextManager[None]]:
    """A lifespan that does only :func:`schema_sync`: ``FastAPI(lifespan=...)``."""

    def lifespan(_app: object) -> AbstractAsyncContextManager[None]:
        return schema_sync(directory)

    return lifespan
