"""The cache in a real Redis (Debian's redis-server on a loopback port): keys as
``{app}:{namespace}:{key}``, what a sync and ``sync.cache()`` do there, and a server that goes
away mid-life."""

from __future__ import annotations

import asyncio
from pathlib import Path

import jinja2
import pytest
import redis as redis_client

from storage.appsync.redis_server import redis_server, url_of
from storage.helpers import files, run_cli, run_json
from storage.servers import Server, free_port
from templsync.storage import CacheBytecodeCache, CachedLoader, SyncStrategy, configure, sync
from templsync.storage.appsync.cache import open_cache
from testing.trees import build_tree


@pytest.fixture
def client(redis: Server) -> redis_client.Redis:
    """A plain client on the test's server, emptied first."""
    found = redis_client.Redis.from_url(url_of(redis))
    found.flushall()
    return found


def test_a_template_sync_removes_the_changed_templates_keys_in_redis(
    tmp_path: Path, redis: Server, client: redis_client.Redis
) -> None:
    configure(root=tmp_path / "storage", cache=url_of(redis), app="shop")
    build_tree(tmp_path / "templates", {"base.html": "v1", "keep.html": "k"})
    asyncio.run(sync.templates())
    client.set("shop:templates:base.html", b"v1")
    client.set("shop:bccache:base.html", b"code")
    client.set("shop:templates:keep.html", b"k")
    client.set("shop:responses:/", b"page")
    (tmp_path / "storage/templates/base.html").write_text("v2")

    result = asyncio.run(sync.templates())

    assert result.pulled == ("templates/base.html",)
    assert result.cache_reached
    assert result.cache_invalidated == ("shop:templates:base.html",)
    assert result.bytecode_cleared == ("shop:bccache:base.html",)
    assert sorted(client.keys("*")) == [b"shop:responses:/", b"shop:templates:keep.html"]


def test_cache_operations_in_redis_stay_inside_their_app_and_namespaces(
    tmp_path: Path, redis: Server, client: redis_client.Redis
) -> None:
    configure(cache=url_of(redis), app="sh[o]p")  # glob characters: SCAN must not match "shop"
    client.set("shop:templates:a.html", b"other app")
    client.set("sh[o]p:templates:a.html", b"x")
    client.set("sh[o]p:responses:/", b"x")
    build_tree(tmp_path / "templates", {"a.html": "{{ 6 * 7 }}"})

    refreshed = asyncio.run(sync.cache(operation="refresh", namespaces=["templates", "bccache"]))
    assert refreshed.invalidated_keys == ("sh[o]p:templates:a.html",)
    assert refreshed.warmed_keys == ("sh[o]p:templates:a.html", "sh[o]p:bccache:a.html")
    assert client.get("sh[o]p:templates:a.html") == b"{{ 6 * 7 }}"
    assert client.get("shop:templates:a.html") == b"other app"

    # The warmed bytecode serves an app reading through the same Redis.
    env = jinja2.Environment(loader=CachedLoader("templates"), bytecode_cache=CacheBytecodeCache())
    assert env.get_template("a.html").render() == "42"

    cleared = asyncio.run(sync.cache(operation="clear", namespaces=["templates", "responses"]))
    assert cleared.cleared_namespaces == ("templates", "responses")
    assert sorted(client.keys("*")) == [b"sh[o]p:bccache:a.html", b"shop:templates:a.html"]


def test_when_redis_goes_away_the_sync_lands_and_says_the_cache_was_not_reached(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with redis_server(tmp_path_factory.mktemp("redis-down")) as server:
        configure(root=tmp_path / "storage", cache=open_cache(url_of(server), timeout=1.0))
        build_tree(tmp_path / "templates", {"a.html": "v1"})
        env = jinja2.Environment(
            loader=CachedLoader("templates"), bytecode_cache=CacheBytecodeCache()
        )
        assert env.get_template("a.html").render() == "v1"
        server.kill()

        build_tree(tmp_path / "storage/templates", {"b.html": "from storage"})
        strategy = SyncStrategy(retry_attempts=1, retry_delay=0.01)
        result = asyncio.run(sync.templates(strategy=strategy))
        assert result.pulled == ("templates/b.html",)
        assert files(tmp_path / "templates")["b.html"] == b"from storage"
        assert not result.cache_reached and result.cache_invalidated == ()
        assert "did not answer" in (result.cache_error or "")
        # The app keeps serving, from the files.
        (tmp_path / "templates/a.html").write_text("v2")
        assert env.get_template("a.html").render() == "v2"
        cache_result = asyncio.run(sync.cache(operation="warm", strategy=strategy))
        assert not cache_result.cache_reached

        server.restart()
        back = asyncio.run(sync.cache(operation="warm", strategy=strategy))
        assert back.cache_reached
        assert set(back.warmed_keys) >= {"templsync:templates:a.html", "templsync:bccache:b.html"}


def test_storage_cache_command_against_redis(
    tmp_path: Path, redis: Server, client: redis_client.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    build_tree(tmp_path / "site", {"a.html": "a", "b.jinja": "b"})
    url = url_of(redis)
    code, data = run_json(capsys, "storage", "cache", "warm", "site", "--cache", url, "--app", "w")
    assert code == 0
    assert data["warmed_keys"] == [
        "w:templates:a.html",
        "w:bccache:a.html",
        "w:templates:b.jinja",
        "w:bccache:b.jinja",
    ]
    assert client.get("w:templates:b.jinja") == b"b"
    code, out, _ = run_cli(
        capsys,
        "storage",
        "cache",
        "invalidate",
        "site",
        "--cache",
        url,
        "--app",
        "w",
        "-N",
        "templates",
        "--key",
        "a.html",
        "--no-warm",
    )
    assert code == 0 and "invalidate: 1 key(s) invalidated, 0 warmed, 0 namespace(s) cleared" in out
    assert sorted(client.keys("w:templates:*")) == [b"w:templates:b.jinja"]


def test_storage_cache_command_exits_1_when_redis_does_not_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    code, _, err = run_cli(capsys, "storage", "cache", "clear", "--cache", url, "--retries", "0")
    assert code == 1 and "did not answer" in err
