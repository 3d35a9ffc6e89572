"""``await sync.templates()``: template folders synced with the storage root, the changed
templates' cache entries invalidated."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import pytest

from storage.helpers import files, set_mtime
from templsync.errors import UserError
from templsync.storage import (
    ConflictStrategy,
    SyncDirection,
    SyncStrategy,
    TemplateSyncResult,
    configure,
    sync,
)
from templsync.storage.appsync.cache import MemoryCache
from templsync.storage.appsync.config import NoStorageRootError
from testing.trees import build_tree


def test_matching_templates_sync_both_ways_and_their_cache_entries_go(
    tmp_path: Path, storage_config: MemoryCache
) -> None:
    cache = storage_config
    configure(root=tmp_path / "storage", app="shop")
    build_tree(
        tmp_path / "templates",
        {"base.html": "<html/>", "mail/welcome.j2": "hi", "notes.txt": "not a template"},
    )
    build_tree(tmp_path / "storage/templates", {"page.jinja": "{{ page }}"})
    for name in ("base.html", "untouched.html"):
        cache.set(f"shop:templates:{name}", b"old")
        cache.set(f"shop:bccache:{name}", b"old")

    result = asyncio.run(sync.templates())

    assert isinstance(result, TemplateSyncResult)
    assert result.synced_items == (
        "templates/base.html",
        "templates/mail/welcome.j2",
        "templates/page.jinja",
    )
    assert result.pulled == ("templates/page.jinja",)
    assert files(tmp_path / "storage/templates") == {
        "base.html": b"<html/>",
        "mail/welcome.j2": b"hi",
        "page.jinja": b"{{ page }}",
    }
    assert "page.jinja" in files(tmp_path / "templates")
    assert result.cache_invalidated == (
        "shop:templates:base.html",
        "shop:templates:mail/welcome.j2",
        "shop:templates:page.jinja",
    )
    assert result.bytecode_cleared == (
        "shop:bccache:base.html",
        "shop:bccache:mail/welcome.j2",
        "shop:bccache:page.jinja",
    )
    assert cache.keys("shop:") == ["shop:bccache:untouched.html", "shop:templates:untouched.html"]
    assert result.cache_reached and not result.has_conflicts

    # Nothing changed: nothing moves, nothing is invalidated.
    again = asyncio.run(sync.templates())
    assert again.synced_items == () and again.cache_invalidated == ()


def test_folders_may_be_anyio_paths_and_several_sync_under_the_bucket(tmp_path: Path) -> None:
    configure(root=str(tmp_path / "storage"))
    build_tree(tmp_path / "app/templates", {"a.html": "a"})
    build_tree(tmp_path / "custom_templates", {"b.html": "b"})
    result = asyncio.run(
        sync.templates(
            template_paths=[anyio.Path("app/templates"), anyio.Path("custom_templates")],
            patterns=["*.html", "*.jinja2", "*.j2"],
            storage_bucket="site",
        )
    )
    assert result.synced_items == ("app/templates/a.html", "custom_templates/b.html")
    assert files(tmp_path / "storage/site") == {
        "templates/a.html": b"a",
        "custom_templates/b.html": b"b",
    }
    assert [f.remote for f in result.folders] == [
        str(tmp_path / "storage/site/templates"),
        str(tmp_path / "storage/site/custom_templates"),
    ]


def test_two_folders_of_one_name_are_refused_before_anything_runs(tmp_path: Path) -> None:
    configure(root=tmp_path / "storage")
    build_tree(tmp_path / "a/templates", {"x.html": "a"})
    build_tree(tmp_path / "b/templates", {"x.html": "b"})
    with pytest.raises(UserError, match="would both sync with 'templates/templates'"):
        asyncio.run(sync.templates(template_paths=["a/templates", Path("b/templates")]))
    assert not (tmp_path / "storage").exists()


def test_the_root_comes_from_the_environment_else_the_error_says_how_to_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(tmp_path / "templates", {"a.html": "a"})
    with pytest.raises(NoStorageRootError, match="TEMPLSYNC_STORAGE_ROOT"):
        asyncio.run(sync.templates())
    monkeypatch.setenv("TEMPLSYNC_STORAGE_ROOT", str(tmp_path / "from-env"))
    result = asyncio.run(sync.templates())
    assert result.pushed == ("templates/a.html",)
    assert files(tmp_path / "from-env/templates") == {"a.html": b"a"}


@pytest.mark.parametrize("bucket", ["", "/abs", "../up", "a/../../b"])
def test_a_bucket_must_stay_under_the_root(tmp_path: Path, bucket: str) -> None:
    configure(root=tmp_path / "storage")
    build_tree(tmp_path / "templates", {"a.html": "a"})
    with pytest.raises(UserError, match="relative name under the storage root"):
        asyncio.run(sync.templates(storage_bucket=bucket))


def test_a_dry_run_writes_nothing_and_says_what_it_would_invalidate(
    tmp_path: Path, storage_config: MemoryCache
) -> None:
    configure(root=tmp_path / "storage")
    storage_config.set("templsync:templates:a.html", b"cached")
    build_tree(tmp_path / "templates", {"a.html": "a"})
    result = asyncio.run(sync.templates(strategy=SyncStrategy(dry_run=True)))
    assert result.dry_run and result.synced_items == ("templates/a.html",)
    assert result.cache_invalidated == ("templsync:templates:a.html",)
    assert not (tmp_path / "storage").exists()
    assert storage_config.get("templsync:templates:a.html") == b"cached"


def test_pull_leaves_local_changes_waiting(tmp_path: Path) -> None:
    configure(root=tmp_path / "storage")
    build_tree(tmp_path / "templates", {"mine.html": "local"})
    build_tree(tmp_path / "storage/templates", {"theirs.html": "remote"})
    result = asyncio.run(
        sync.templates(
            strategy=SyncStrategy(
                direction=SyncDirection.PULL, conflict_strategy=ConflictStrategy.REMOTE_WINS
            )
        )
    )
    assert result.synced_items == ("templates/theirs.html",)
    assert files(tmp_path / "storage/templates") == {"theirs.html": b"remote"}


def test_the_seed_conflict_example_reads_the_conflicts_and_backups(tmp_path: Path) -> None:
    configure(root=tmp_path / "storage")
    build_tree(tmp_path / "templates", {"page.html": "base"})
    asyncio.run(sync.templates())
    (tmp_path / "templates/page.html").write_text("local edit")
    (tmp_path / "storage/templates/page.html").write_text("remote edit")
    set_mtime(tmp_path / "templates/page.html", 1_700_000_000)
    set_mtime(tmp_path / "storage/templates/page.html", 1_700_000_100)

    backup_strategy = SyncStrategy(
        direction=SyncDirection.BIDIRECTIONAL,
        conflict_strategy=ConflictStrategy.BACKUP_BOTH,
        backup_on_conflict=True,
    )
    result = asyncio.run(sync.templates(strategy=backup_strategy))

    assert result.has_conflicts
    [conflict] = result.conflicts
    assert conflict["path"] == "templates/page.html"
    assert conflict.get("local_mtime") == 1_700_000_000
    assert conflict.get("remote_mtime") == 1_700_000_100
    assert (tmp_path / "templates/page.html").read_text() == "remote edit"
    kept = {p: v for p, v in files(tmp_path / "templates").items() if "conflict-local" in p}
    assert list(kept.values()) == [b"local edit"]
    # backup-both keeps the loser beside the winner on both sides: nothing was overwritten.
    assert files(tmp_path / "storage/templates") == files(tmp_path / "templates")
    assert result.backed_up == ()
