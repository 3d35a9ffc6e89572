"""Real servers for the storage-sync tests, each a separate process on a free loopback port:
moto's S3 server, ``rclone serve s3`` and OpenSSH's sshd (see ``sftp.py``)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

KEY, SECRET = "templsync-test-key", "templsync-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def bin_path(name: str) -> str:
    """A program installed beside the test interpreter (the venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (pip install -e '.[dev]')")
    return found


@dataclass
class Server:
    """A running server process and where it listens."""

    process: subprocess.Popen[bytes]
    port: int
    command: list[str]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def restart(self) -> None:
        self.kill()
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port, self.process)


@contextmanager
def serve(command: list[str], port: int) -> Iterator[Server]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(process, port, command)
    try:
        wait_for_port(port, process)
        yield server
    finally:
        server.kill()


@contextmanager
def moto_s3() -> Iterator[Server]:
    port = free_port()
    with serve([bin_path("moto_server"), "-H", "127.0.0.1", "-p", str(port)], port) as server:
        yield server


@contextmanager
def rclone_s3(root: Path) -> Iterator[Server]:
    port = free_port()
    command = [
        bin_path("rclone"),
        "serve",
        "s3",
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{KEY},{SECRET}",
        "--config",
        os.devnull,
        str(root),
    ]
    with serve(command, port) as server:
        yield server
