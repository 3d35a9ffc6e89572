"""The lifespan helper: a sync at start-up and the watcher while the application runs, each
sync a process of its own; nothing of it in production."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from templsync.schema.lifespan import schema_sync, schema_sync_lifespan
from templsync.schema.watch import WatchEvent

from .helpers import configure, edit, make_project

OUTPUT = "api/schemas_generated.py"
MODELS = "shop_tortoise/models.py"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "shop", "shop_tortoise")
    return configure(root, ["shop_tortoise.models"], output=OUTPUT, watch_debounce_seconds=0.3)


def test_start_up_syncs_and_the_watcher_regenerates_until_shutdown(shop: Path) -> None:
    events: list[WatchEvent] = []

    async def run() -> None:
        async with schema_sync(shop, report=events.append):
            assert (shop / OUTPUT).is_file()  # written before the application starts
            await asyncio.sleep(0.5)
            edit(shop / MODELS, "max_length=80, unique", "max_length=94, unique")
            deadline = time.monotonic() + 60
            while "max_length=94" not in (shop / OUTPUT).read_text():
                assert time.monotonic() < deadline, events
                await asyncio.sleep(0.05)

    asyncio.run(run())
    assert events[0].changed == () and events[0].result is not None and events[0].result.written
    assert any(e.changed == (MODELS,) and e.result and e.result.written for e in events)
    assert all(e.error is None for e in events)


def test_production_neither_syncs_nor_watches(
    shop: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_ENVIRONMENT", "production")

    async def run() -> None:
        async with schema_sync_lifespan(shop)(object()):
            pass

    with caplog.at_level(logging.INFO, logger="templsync.schema"):
        asyncio.run(run())
    assert not (shop / OUTPUT).exists() and caplog.records == []


def test_outcomes_are_logged(shop: Path, caplog: pytest.LogCaptureFixture) -> None:
    configure(shop, ["shop_tortoise.models"], output=OUTPUT, watch_enabled=False)

    async def run() -> None:
        async with schema_sync(shop):
            pass

    with caplog.at_level(logging.INFO, logger="templsync.schema"):
        asyncio.run(run())
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        f"schemas written to {OUTPUT} after start-up"
    ]
    edit(shop / MODELS, "class Tag(Model):", "class Tag(Model:")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="templsync.schema"):
        asyncio.run(run())
    [record] = caplog.records
    assert record.levelno == logging.WARNING and "SyntaxError" in record.getMessage()
