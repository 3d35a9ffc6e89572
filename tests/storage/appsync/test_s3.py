"""Templates and settings against S3 over real HTTP (moto's server and ``rclone serve s3``):
the storage root an ``s3://bucket/prefix`` URL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from storage.helpers import files
from storage.test_sync_s3 import remote_files
from templsync.storage import SyncStrategy, configure, sync
from testing.trees import build_tree


def test_templates_and_settings_sync_with_an_s3_root(bucket: str, s3: Any, tmp_path: Path) -> None:
    configure(root=f"s3://{bucket}/shop/")
    build_tree(tmp_path / "templates", {"base.html": "<html/>", "skip.txt": "no"})
    build_tree(tmp_path / "settings", {"app.yml": "name: shop\n"})
    s3.pipe_file(f"{bucket}/shop/templates/mail/welcome.j2", b"hi")
    s3.pipe_file(f"{bucket}/shop/settings/database.yml", b"url: [unclosed\n")
    s3.pipe_file(f"{bucket}/shop/settings/cache.yml", b"ttl: 60\n")

    templates = asyncio.run(sync.templates(strategy=SyncStrategy(max_concurrent=2)))
    settings = asyncio.run(sync.settings())

    assert templates.synced_items == ("templates/base.html", "templates/mail/welcome.j2")
    assert templates.folders[0].remote == f"s3://{bucket}/shop/templates"
    assert remote_files(s3, f"{bucket}/shop/templates") == {
        "base.html": b"<html/>",
        "mail/welcome.j2": b"hi",
    }
    assert settings.synced_items == ("settings/app.yml", "settings/cache.yml")
    assert [(i.side, i.path, i.line, i.column) for i in settings.invalid] == [
        ("remote", "settings/database.yml", 2, 1)
    ]
    assert files(tmp_path / "settings") == {"app.yml": b"name: shop\n", "cache.yml": b"ttl: 60\n"}
    assert not [k for k in s3.find(bucket) if ".templsync-" in k]
