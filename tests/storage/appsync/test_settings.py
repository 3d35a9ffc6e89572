"""``await sync.settings()``: YAML settings synced with the storage root, each file checked
before it spreads, the reload hook called when local settings changed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import pytest

from storage.helpers import files
from templsync.storage import (
    ConflictStrategy,
    SettingsSyncResult,
    SyncDirection,
    SyncStrategy,
    configure,
    sync,
)
from templsync.storage.appsync.settings import parse_problem
from testing.trees import build_tree


def test_settings_sync_both_ways_and_name_the_adapters(tmp_path: Path) -> None:
    configure(root=tmp_path / "storage")
    build_tree(tmp_path / "settings", {"app.yml": "name: shop\n", "notes.md": "not settings"})
    build_tree(tmp_path / "storage/settings", {"cache.yaml": "ttl: 60\n"})
    result = asyncio.run(sync.settings())
    assert isinstance(result, SettingsSyncResult)
    assert result.synced_items == ("settings/app.yml", "settings/cache.yaml")
    assert result.adapters_affected == ("app", "cache")
    assert files(tmp_path / "storage/settings") == {
        "app.yml": b"name: shop\n",
        "cache.yaml": b"ttl: 60\n",
    }
    assert not result.config_reloaded  # no reload hook is registered


def test_adapter_names_limit_the_files(tmp_path: Path) -> None:
    configure(root=tmp_path / "storage")
    build_tree(
        tmp_path / "config",
        {"database.yml": "a: 1\n", "email.yaml": "b: 2\n", "storage.yml": "c: 3\n"},
    )
    result = asyncio.run(
        sync.settings(
            settings_path=anyio.Path("config"),
            adapter_names=["database", "cache", "email"],
            storage_bucket="config",
        )
    )
    assert result.adapters_affected == ("database", "email")
    assert set(files(tmp_path / "storage/config")) == {"database.yml", "email.yaml"}


def test_a_file_that_does_not_parse_is_left_out_with_its_line_and_column(tmp_path: Path) -> None:
    configure(root=tmp_path / "storage")
    build_tree(tmp_path / "settings", {"good.yml": "a: 1\n", "app.yml": "name: shop\n"})
    asyncio.run(sync.settings())
    # A broken edit on each side: neither spreads, the good versions stay where they are.
    (tmp_path / "settings/app.yml").write_text("name: shop\nport: [8080\n")
    (tmp_path / "storage/settings/good.yml").write_text("a: 1\n  b: 2\n")
    build_tree(tmp_path / "settings", {"new.yml": "fine: true\n"})

    result = asyncio.run(sync.settings())

    assert result.synced_items == ("settings/new.yml",)
    assert [(i.side, i.path, i.line, i.column) for i in result.invalid] == [
        ("local", "settings/app.yml", 3, 1),
        ("remote", "settings/good.yml", 2, 4),
    ]
    assert "settings/app.yml:3:1 (local)" in str(result.invalid[0])
    assert (tmp_path / "storage/settings/app.yml").read_text() == "name: shop\n"
    assert (tmp_path / "settings/good.yml").read_text() == "a: 1\n"
    # Fixed, the files sync again.
    (tmp_path / "settings/app.yml").write_text("name: shop\nport: 8080\n")
    (tmp_path / "storage/settings/good.yml").write_text("a: 2\n")
    result = asyncio.run(sync.settings())
    assert result.invalid == ()
    assert result.synced_items == ("settings/app.yml", "settings/good.yml")
    assert files(tmp_path / "settings") == files(tmp_path / "storage/settings")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (b"a: 1\nb: [\n", (3, 1)),
        (b"a: 'open\n", (2, 1)),
        (b"\tbad: tab\n", (1, 1)),
        (b"a: 1\n---\nb: 2\n", (2, 1)),  # two documents: not one settings mapping
    ],
)
def test_parse_problems_carry_line_and_column(text: bytes, where: tuple[int, int]) -> None:
    problem = parse_problem(text)
    assert problem is not None and problem[:2] == where


def test_an_alias_bomb_is_refused_not_expanded() -> None:
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n".encode()
        for i in range(8)
    )
    problem = parse_problem(bomb)
    assert problem is not None and "alias" in problem[2]


def test_the_reload_hook_runs_after_local_settings_changed(tmp_path: Path) -> None:
    calls: list[tuple[str, ...]] = []

    async def reload(adapters: tuple[str, ...]) -> None:
        await asyncio.sleep(0)
        calls.append(adapters)

    configure(root=tmp_path / "storage", reload=reload)
    build_tree(tmp_path / "settings", {"app.yml": "a: 1\n"})
    pushed = asyncio.run(sync.settings(reload_config=True))
    assert pushed.adapters_affected == ("app",) and not pushed.config_reloaded
    assert calls == []  # a push changes nothing here

    build_tree(tmp_path / "storage/settings", {"database.yml": "url: x\n"})
    pulled = asyncio.run(sync.settings(reload_config=True))
    assert pulled.config_reloaded and calls == [("database",)]

    (tmp_path / "storage/settings/database.yml").write_text("url: y\n")
    quiet = asyncio.run(sync.settings(reload_config=False))
    assert quiet.synced_items == ("settings/database.yml",) and not quiet.config_reloaded
    assert calls == [("database",)]


def test_a_plain_function_is_a_reload_hook_too_and_a_dry_run_never_calls_it(
    tmp_path: Path,
) -> None:
    calls: list[tuple[str, ...]] = []
    configure(root=tmp_path / "storage", reload=calls.append)
    build_tree(tmp_path / "storage/settings", {"app.yml": "a: 1\n"})
    dry = asyncio.run(sync.settings(strategy=SyncStrategy(dry_run=True)))
    assert dry.dry_run and dry.synced_items == ("settings/app.yml",) and calls == []
    assert not (tmp_path / "settings").exists()
    done = asyncio.run(sync.settings())
    assert done.config_reloaded and calls == [("app",)]


def test_the_seed_pull_example(tmp_path: Path) -> None:
    configure(root=tmp_path / "storage")
    build_tree(tmp_path / "config", {"database.yml": "url: local\n"})
    build_tree(tmp_path / "storage/config", {"database.yml": "url: production\n"})
    settings_result = asyncio.run(
        sync.settings(
            settings_path=anyio.Path("config"),
            adapter_names=["database", "cache", "email"],
            strategy=SyncStrategy(
                direction=SyncDirection.PULL,
                conflict_strategy=ConflictStrategy.REMOTE_WINS,
                backup_on_conflict=True,
                dry_run=False,
            ),
            storage_bucket="config",
            reload_config=True,
        )
    )
    assert settings_result.synced_items == ("config/database.yml",)
    assert len(settings_result.conflicts) == 1
    assert len(settings_result.backed_up) == 1
    assert Path(settings_result.backed_up[0]).read_text() == "url: local\n"
    assert (tmp_path / "config/database.yml").read_text() == "url: production\n"
    assert not settings_result.config_reloaded
    assert settings_result.invalid == ()
