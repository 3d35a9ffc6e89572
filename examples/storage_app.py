"""The three examples of the FastBlocks sync action, run against a local storage root.

    python examples/storage_app.py DIR [environment] [deployment] [conflicts]

``DIR/storage`` stands for production's storage root (an S3 bucket in real life: only the
``configure(root=...)`` line would change); ``DIR/app`` is the app, with its ``templates/`` and
``settings/`` folders; ``DIR/state`` keeps the last-sync states. The example functions are the
seed's own, with one line changed: the import. ``docs/storage-app.md`` walks through them.
Running it again starts afresh.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

from templsync.storage import ConflictStrategy, SyncDirection, SyncStrategy, configure, sync


async def sync_environment():
    """Complete environment synchronization."""

    # Pull latest from production
    pull_strategy = SyncStrategy(
        direction=SyncDirection.PULL,
        conflict_strategy=ConflictStrategy.REMOTE_WINS,
        backup_on_conflict=True,
    )

    # Sync settings first
    settings_result = await sync.settings(strategy=pull_strategy, reload_config=True)

    # Sync templates
    templates_result = await sync.templates(strategy=pull_strategy)

    # Refresh cache
    cache_result = await sync.cache(operation="refresh")

    print("Environment sync complete:")
    print(f"- Settings: {len(settings_result.synced_items)} synced")
    print(f"- Templates: {len(templates_result.synced_items)} synced")
    print(f"- Cache: {len(cache_result.warmed_keys)} warmed")


async def deployment_sync():
    """Sync for production deployment."""

    # Push local changes to production
    push_strategy = SyncStrategy(
        direction=SyncDirection.PUSH,
        conflict_strategy=ConflictStrategy.LOCAL_WINS,
        dry_run=False,  # Set to True for testing
    )

    # Sync templates and settings
    templates_result = await sync.templates(strategy=push_strategy)
    settings_result = await sync.settings(
        strategy=push_strategy,
        reload_config=False,  # Don't reload during deployment
    )

    # Warm cache for production
    cache_result = await sync.cache(operation="warm")

    return {
        "templates": len(templates_result.synced_items),
        "settings": len(settings_result.synced_items),
        "cache_warmed": len(cache_result.warmed_keys),
    }


async def handle_conflicts():
    """Example of handling sync conflicts."""

    # Strategy that creates backups for conflicts
    backup_strategy = SyncStrategy(
        direction=SyncDirection.BIDIRECTIONAL,
        conflict_strategy=ConflictStrategy.BACKUP_BOTH,
        backup_on_conflict=True,
    )

    result = await sync.templates(strategy=backup_strategy)

    if result.has_conflicts:
        print(f"Found {len(result.conflicts)} conflicts:")

        for conflict in result.conflicts:
            print(f"Conflict: {conflict['path']}")
            print(f"Local time: {conflict.get('local_mtime')}")
            print(f"Remote time: {conflict.get('remote_mtime')}")

    if result.backed_up:
        print(f"Created backups: {result.backed_up}")

    return result


PRODUCTION = {
    "templates/base.html": "<html><body>{% block body %}{% endblock %}</body></html>\n",
    "templates/home.html": (
        '{% extends "base.html" %}{% block body %}<h1>{{ greeting }}</h1>{% endblock %}\n'
    ),
    "templates/mail/welcome.j2": "Welcome, {{ name }}!\n",
    "settings/app.yml": "name: shop\ngreeting: Hello\n",
    "settings/database.yml": "url: postgresql://db.internal/shop\npool: 10\n",
}
APP = {
    "templates/home.html": "<h1>{{ greeting }}</h1>\n",
    "settings/app.yml": "name: shop\ngreeting: Hi\n",
}


def write(root: Path, files: dict[str, str], mtime: float) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (mtime, mtime))


def set_up(folder: Path) -> None:
    """Production's storage and an app that is behind it."""
    shutil.rmtree(folder, ignore_errors=True)
    write(folder / "storage", PRODUCTION, 1_750_000_000)
    write(folder / "app", APP, 1_740_000_000)


def reload_settings(adapters: tuple[str, ...]) -> None:
    print(f"(reload hook: settings of {', '.join(adapters)} reloaded)")


def make_a_conflict(folder: Path) -> None:
    """The same template edited in the app and in production since the last sync."""
    print("(home.html edited in the app at 1760000000 and in production at 1760000100)")
    write(folder / "app", {"templates/home.html": "<h1>{{ greeting }}!</h1>\n"}, 1_760_000_000)
    write(
        folder / "storage",
        {"templates/home.html": '{% extends "base.html" %}<h2>{{ greeting }}</h2>\n'},
        1_760_000_100,
    )


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 1
    folder = Path(argv[0]).absolute()
    steps = argv[1:] or ["environment", "deployment", "conflicts"]
    set_up(folder)
    configure(root=folder / "storage", state_dir=folder / "state", reload=reload_settings)
    os.chdir(folder / "app")  # the app's folders are its working folder's templates/, settings/
    for step in steps:
        print(f"== {step}")
        if step == "environment":
            asyncio.run(sync_environment())
        elif step == "deployment":
            write(folder / "app", {"templates/about.html": "<p>About us</p>\n"}, 1_755_000_000)
            print(asyncio.run(deployment_sync()))
        elif step == "conflicts":
            make_a_conflict(folder)
            result = asyncio.run(handle_conflicts())
            names = sorted(p.name for p in Path("templates").iterdir())
            print(f"{result.conflicts[0].resolution}: {', '.join(names)}")
        else:
            print(f"unknown step {step!r}: environment, deployment or conflicts")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
