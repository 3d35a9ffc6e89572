from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.servers import KEY, SECRET, Server, moto_s3, rclone_s3
from storage.sftp import Sshd, sshd


@pytest.fixture(scope="module")
def moto_server() -> Iterator[Server]:
    with moto_s3() as server:
        yield server


@pytest.fixture(scope="module")
def rclone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with rclone_s3(tmp_path_factory.mktemp("rclone-s3")) as server:
        yield server


@pytest.fixture(params=["moto", "rclone"])
def s3_server(request: pytest.FixtureRequest) -> Server:
    server: Server = request.getfixturevalue(f"{request.param}_server")
    return server


@pytest.fixture
def s3_env(s3_server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    """The S3 client settings a user would set, pointing at the test's server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return s3_server


def s3fs_client(server: Server) -> Any:
    import s3fs

    return s3fs.S3FileSystem(
        key=KEY, secret=SECRET, endpoint_url=server.endpoint, skip_instance_cache=True
    )


@pytest.fixture
def bucket(s3_env: Server, request: pytest.FixtureRequest) -> str:
    """A new, empty bucket for the test."""
    import hashlib

    name = "t" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:20]
    fs = s3fs_client(s3_env)
    fs.mkdir(name)
    return name


@pytest.fixture
def s3(s3_env: Server) -> Any:
    return s3fs_client(s3_env)


@pytest.fixture
def public_tmp(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(scope="module")
def sshd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    with sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def sftp(sshd_server: Sshd) -> Sshd:
    """The SSH server, with the user key in the test's home folder (set by hermetic_git)."""
    sshd_server.install_client_key(Path(os.environ["HOME"]))
    return sshd_server
