from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.appsync.redis_server import redis_server
from storage.servers import Server
from templsync.storage.appsync import config
from templsync.storage.appsync.cache import MemoryCache


@pytest.fixture(autouse=True)
def storage_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryCache]:
    """Each test starts from the default configuration, with the working folder in tmp_path
    (where the default ``templates`` and ``settings`` folders are), no storage root in the
    environment, its own in-process cache and state folder; the configuration it found is put
    back after it."""
    found = config.current()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(config.ROOT_ENV, raising=False)
    monkeypatch.delenv(config.CACHE_ENV, raising=False)
    cache = MemoryCache()
    config.install(config.StorageConfig(cache=cache, state_dir=tmp_path / "state"))
    try:
        yield cache
    finally:
        config.install(found)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server
