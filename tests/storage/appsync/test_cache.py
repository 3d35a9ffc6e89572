"""``await sync.cache()`` and the Jinja pieces over the in-process cache."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import CodeType

import jinja2
import pytest

from storage.servers import free_port
from templsync.errors import UserError
from templsync.storage import (
    CacheBytecodeCache,
    CachedLoader,
    CacheSyncResult,
    SyncStrategy,
    configure,
    sync,
)
from templsync.storage.appsync.cache import MemoryCache, open_cache
from testing.trees import build_tree

TEMPLATES = {
    "base.html": "<h1>{{ title }}</h1>",
    "mail/welcome.j2": "Hi {{ name }}",
    "broken.html": "{% if %}",
    "notes.txt": "not a template",
}


def test_warm_puts_sources_and_bytecode_in_the_cache(
    tmp_path: Path, storage_config: MemoryCache
) -> None:
    cache = storage_config
    build_tree(tmp_path / "templates", TEMPLATES)
    result = asyncio.run(sync.cache(operation="warm", namespaces=["templates", "bccache"]))
    assert isinstance(result, CacheSyncResult)
    assert result.warmed_keys == (
        "templsync:templates:base.html",
        "templsync:bccache:base.html",
        "templsync:templates:mail/welcome.j2",
        "templsync:bccache:mail/welcome.j2",
    )
    assert result.warm_errors == (
        "broken.html:1: Expected an expression, got 'end of statement block'",
    )
    assert cache.get("templsync:templates:base.html") == b"<h1>{{ title }}</h1>"
    # The bytecode is Jinja's own: an environment over the same cache loads it, compiling nothing.
    compiled: list[str] = []

    class Counting(jinja2.Environment):
        def _compile(self, source: str, filename: str) -> CodeType:
            compiled.append(filename)
            return super()._compile(source, filename)

    env = Counting(
        loader=jinja2.FileSystemLoader(tmp_path / "templates"),
        bytecode_cache=CacheBytecodeCache(),
    )
    assert env.get_template("base.html").render(title="x") == "<h1>x</h1>"
    assert compiled == []
    # Without the warmed bytecode, the same environment compiles.
    cache.delete(["templsync:bccache:mail/welcome.j2"])
    assert env.get_template("mail/welcome.j2").render(name="Ann") == "Hi Ann"
    assert compiled == [str(tmp_path / "templates/mail/welcome.j2")]


def test_invalidate_removes_the_keys_that_were_there(storage_config: MemoryCache) -> None:
    cache = storage_config
    for key in ("templates:a.html", "bccache:a.html", "responses:/home", "templates:b.html"):
        cache.set(f"templsync:{key}", b"x")
    cache.set("other-app:templates:a.html", b"x")
    result = asyncio.run(
        sync.cache(
            operation="invalidate",
            namespaces=["templates", "bccache"],
            keys=["a.html", "missing.html"],
            warm_templates=False,
        )
    )
    assert result.invalidated_keys == ("templsync:templates:a.html", "templsync:bccache:a.html")
    assert result.warmed_keys == () and result.cleared_namespaces == ()
    assert cache.keys("") == [
        "other-app:templates:a.html",
        "templsync:responses:/home",
        "templsync:templates:b.html",
    ]


def test_refresh_empties_the_namespaces_then_warms_the_templates(
    tmp_path: Path, storage_config: MemoryCache
) -> None:
    cache = storage_config
    build_tree(tmp_path / "templates", {"a.html": "new"})
    cache.set("templsync:templates:a.html", b"old")
    cache.set("templsync:templates:gone.html", b"old")
    cache.set("templsync:responses:/", b"old page")
    result = asyncio.run(sync.cache(operation="refresh"))
    assert result.invalidated_keys == (
        "templsync:templates:a.html",
        "templsync:templates:gone.html",
        "templsync:responses:/",
    )
    assert result.warmed_keys == ("templsync:templates:a.html", "templsync:bccache:a.html")
    assert cache.keys("templsync:") == ["templsync:bccache:a.html", "templsync:templates:a.html"]
    assert cache.get("templsync:templates:a.html") == b"new"


def test_clear_empties_whole_namespaces_and_warms_nothing(storage_config: MemoryCache) -> None:
    cache = storage_config
    configure(app="shop")
    cache.set("shop:templates:a.html", b"x")
    cache.set("shop:gather:routes", b"x")
    cache.set("shop:responses:/", b"x")
    result = asyncio.run(sync.cache(operation="clear", namespaces=["templates", "gather"]))
    assert result.cleared_namespaces == ("templates", "gather")
    assert result.invalidated_keys == ("shop:templates:a.html", "shop:gather:routes")
    assert result.warmed_keys == ()
    assert cache.keys("") == ["shop:responses:/"]


def test_a_dry_run_reads_and_writes_nothing(tmp_path: Path, storage_config: MemoryCache) -> None:
    cache = storage_config
    build_tree(tmp_path / "templates", {"a.html": "a"})
    cache.set("templsync:templates:old.html", b"x")
    result = asyncio.run(sync.cache(operation="refresh", strategy=SyncStrategy(dry_run=True)))
    assert result.dry_run
    assert result.invalidated_keys == ("templsync:templates:old.html",)
    assert result.warmed_keys == ("templsync:templates:a.html", "templsync:bccache:a.html")
    assert cache.keys("") == ["templsync:templates:old.html"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operation": "purge"}, "give one of refresh, invalidate, warm, clear"),
        ({"operation": "clear", "keys": ["a"]}, "use operation='invalidate'"),
        ({"namespaces": ["a:b"]}, "without ':'"),
    ],
)
def test_wrong_requests_say_what_to_give(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        asyncio.run(sync.cache(**kwargs))  # type: ignore[arg-type]  # the kwargs vary per case


def test_the_cached_loader_serves_the_cached_source_until_it_is_invalidated(
    tmp_path: Path, storage_config: MemoryCache
) -> None:
    build_tree(tmp_path / "templates", {"page.html": "v1"})
    env = jinja2.Environment(loader=CachedLoader("templates"), bytecode_cache=CacheBytecodeCache())
    assert env.get_template("page.html").render() == "v1"
    (tmp_path / "templates/page.html").write_text("v2")
    assert env.get_template("page.html").render() == "v1"  # the cache holds v1
    asyncio.run(sync.cache(operation="invalidate", keys=["page.html"], warm_templates=False))
    assert env.get_template("page.html").render() == "v2"
    assert storage_config.get("templsync:templates:page.html") == b"v2"


def unreachable() -> str:
    """A Redis URL where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/0"


def test_a_cache_that_does_not_answer_is_reported_never_raised(tmp_path: Path) -> None:
    configure(cache=open_cache(unreachable(), timeout=0.5))
    build_tree(tmp_path / "templates", {"a.html": "a"})
    strategy = SyncStrategy(retry_attempts=1, retry_delay=0.01)
    result = asyncio.run(sync.cache(operation="refresh", strategy=strategy))
    assert not result.cache_reached and "did not answer" in (result.cache_error or "")
    assert result.invalidated_keys == () and result.warmed_keys == ()


def test_an_app_renders_from_its_files_when_the_cache_does_not_answer(tmp_path: Path) -> None:
    configure(cache=unreachable())
    build_tree(tmp_path / "templates", {"a.html": "{{ 1 + 1 }}"})
    env = jinja2.Environment(loader=CachedLoader("templates"), bytecode_cache=CacheBytecodeCache())
    assert env.get_template("a.html").render() == "2"


def test_the_cache_is_retried_as_the_strategy_says(tmp_path: Path) -> None:
    import time

    configure(cache=open_cache(unreachable(), timeout=0.5))
    strategy = SyncStrategy(retry_attempts=2, retry_delay=0.2)
    started = time.monotonic()
    result = asyncio.run(sync.cache(operation="clear", namespaces=["templates"], strategy=strategy))
    waited = time.monotonic() - started
    assert not result.cache_reached
    assert waited >= 0.2 + 0.4  # two retries, the delay doubled after the first
    no_retry = SyncStrategy(retry_attempts=0)
    started = time.monotonic()
    asyncio.run(sync.cache(operation="clear", namespaces=["templates"], strategy=no_retry))
    assert time.monotonic() - started < 0.5
