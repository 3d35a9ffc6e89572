"""Debian's redis-server (installed by .ci/run) on a free loopback port, for the cache tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.servers import Server, free_port, serve


@contextmanager
def redis_server(folder: Path) -> Iterator[Server]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
    ]
    with serve(command, port) as server:
        yield server


def url_of(server: Server) -> str:
    return f"redis://127.0.0.1:{server.port}/0"
