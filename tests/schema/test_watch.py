"""``schema watch``: a model file edited, the schema regenerated within the debounce plus one
second; a broken save reported without ending the watch; off in production; the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from templsync.schema.sync import SyncOptions, SyncResult
from templsync.schema.watch import Runner, WatchEvent, WatchingOffError, sync_here, watch
from testing.alarm import time_limit

from .helpers import configure, edit, make_project

OUTPUT = "api/schemas_generated.py"
MODELS = "shop_tortoise/models.py"
DEBOUNCE = 0.3


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "shop", "shop_tortoise")
    return configure(root, ["shop_tortoise.models"], output=OUTPUT, watch_debounce_seconds=DEBOUNCE)


class Watcher:
    """``watch`` running in a thread; its events collected."""

    def __init__(self, root: Path, run: Runner = sync_here) -> None:
        self.run = run
        self.events: list[WatchEvent] = []
        self.stop = threading.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(root,), daemon=True)

    def _run(self, root: Path) -> None:
        try:
            watch(root, self.events.append, stop=self.stop, run=self.run)
        except BaseException as e:  # handed to the test, which fails with it
            self.failure = e

    def wait_for(self, count: int, timeout: float = 30.0) -> WatchEvent:
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            assert self.failure is None, self.failure
            assert time.monotonic() < deadline, f"no event {count}: {self.events}"
            time.sleep(0.02)
        return self.events[count - 1]


@pytest.fixture
def watching(shop: Path) -> Iterator[Watcher]:
    watcher = Watcher(shop)
    watcher.thread.start()
    watcher.wait_for(1)  # the first sync is reported once the file watcher is set up
    yield watcher
    watcher.stop.set()
    watcher.thread.join(timeout=10)
    assert not watcher.thread.is_alive()


def test_an_edited_model_file_is_regenerated_within_the_debounce_plus_a_second(
    shop: Path, watching: Watcher
) -> None:
    first = watching.events[0]
    assert first.changed == () and first.result is not None and first.result.written
    output = shop / OUTPUT
    edit(shop / MODELS, "max_length=80, unique", "max_length=91, unique")
    edited = time.monotonic()
    while "max_length=91" not in output.read_text():
        assert time.monotonic() - edited < DEBOUNCE + 1.0, "not regenerated in time"
        time.sleep(0.01)
    event = watching.wait_for(2)
    assert event.changed == (MODELS,) and event.result is not None and event.result.written


def test_a_broken_save_is_reported_and_the_watch_goes_on(shop: Path, watching: Watcher) -> None:
    edit(shop / MODELS, "class Tag(Model):", "class Tag(Model:")
    broken = watching.wait_for(2)
    assert broken.result is None and broken.error is not None
    assert "shop_tortoise.models" in broken.error and "SyntaxError" in broken.error
    edit(shop / MODELS, "class Tag(Model:", "class Tag(Model):")
    edit(shop / MODELS, "max_length=80, unique", "max_length=92, unique")
    fixed = watching.wait_for(3)
    assert fixed.error is None and "max_length=92" in (shop / OUTPUT).read_text()


def test_a_model_file_edited_during_the_first_sync_is_regenerated(shop: Path) -> None:
    def first_sync_then_a_save(root: Path, options: SyncOptions) -> SyncResult:
        result = sync_here(root, options)
        if not watcher.events:  # the first sync: the file is saved before the watch is set up
            edit(shop / MODELS, "max_length=80, unique", "max_length=95, unique")
        return result

    watcher = Watcher(shop, first_sync_then_a_save)
    watcher.thread.start()
    try:
        assert watcher.wait_for(1).changed == ()
        event = watcher.wait_for(2)
        assert event.changed == (MODELS,) and event.error is None
        assert "max_length=95" in (shop / OUTPUT).read_text()
    finally:
        watcher.stop.set()
        watcher.thread.join(timeout=10)


def test_watching_is_off_in_production(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_ENVIRONMENT", "production")
    with pytest.raises(WatchingOffError, match="environment = production"):
        watch(shop, lambda _: None)


def test_the_command_prints_each_regeneration_and_stops_on_ctrl_c(shop: Path) -> None:
    command = [sys.executable, "-m", "templsync", "schema", "watch", "-C", str(shop)]
    env = {**os.environ, "COLUMNS": "200", "PYTHONFAULTHANDLER": "1"}
    with (
        time_limit(120),
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        ) as process,
    ):
        assert process.stdout is not None
        lines = [process.stdout.readline(), process.stdout.readline()]
        assert "watching the model files" in lines[0]
        assert "start: wrote api/schemas_generated.py (12 schemas" in lines[1]
        edit(shop / MODELS, "max_length=80, unique", "max_length=93, unique")
        line = process.stdout.readline()
        assert f"{MODELS} changed: wrote {OUTPUT}" in line
        out, err = _interrupt(process)
    assert process.returncode == 0, err
    assert "stopped" in out


def test_the_command_prints_one_json_object_a_line_with_json(shop: Path) -> None:
    command = [sys.executable, "-m", "templsync", "schema", "watch", "-C", str(shop), "--json"]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    with (
        time_limit(120),
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        ) as p,
    ):
        assert p.stdout is not None
        start = json.loads(p.stdout.readline())
        assert start["changed"] == [] and start["error"] is None
        assert start["sync"]["written"] and start["sync"]["output"] == OUTPUT
        assert "diff" not in start["sync"]
        edit(shop / MODELS, "max_length=80, unique", "max_length=94, unique")
        event = json.loads(p.stdout.readline())
        assert event["changed"] == [MODELS] and event["sync"]["changed"]
        out, err = _interrupt(p)
    assert p.returncode == 0, err
    assert out == ""  # nothing but the JSON lines, not even "stopped"


def _interrupt(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Ctrl-C the watcher and collect its output; one still running 30 s later fails the test
    with its signal state (blocked, ignored) and every thread's traceback (faulthandler)."""
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{process.pid}/status").read_text()
        signals = [line for line in status.splitlines() if line.startswith("Sig")]
        process.send_signal(signal.SIGABRT)  # faulthandler prints the tracebacks, then it ends
        out, err = process.communicate(timeout=30)
        pytest.fail(f"Ctrl-C did not stop the watcher: {signals}\n{out}\n{err}")
