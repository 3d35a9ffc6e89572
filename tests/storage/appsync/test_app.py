"""A small Starlette app serving Jinja templates and YAML settings through templsync's cache:
a template and a setting changed in S3 storage (moto's server, over HTTP) reach it through
``sync.templates()`` and ``sync.settings()``, and it serves the new versions without a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import jinja2
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from templsync.storage import CacheBytecodeCache, CachedLoader, configure, sync
from templsync.storage.appsync.cache import MemoryCache
from testing.trees import build_tree


def make_app(folder: Path) -> Starlette:
    env = jinja2.Environment(
        loader=CachedLoader(folder / "templates"),
        bytecode_cache=CacheBytecodeCache(),
        autoescape=True,
    )
    settings: dict[str, Any] = {}

    def load_settings(_adapters: tuple[str, ...] = ()) -> None:
        settings.clear()
        settings.update(yaml.safe_load((folder / "settings/app.yml").read_text()))

    load_settings()
    configure(
        template_paths=[folder / "templates"],
        settings_path=folder / "settings",
        reload=load_settings,
    )

    async def home(request: Request) -> HTMLResponse:
        page = env.get_template("home.html")
        return HTMLResponse(page.render(greeting=settings["greeting"], name="Ann"))

    async def pull(request: Request) -> JSONResponse:
        templates = await sync.templates()
        config = await sync.settings(reload_config=True)
        return JSONResponse(
            {
                "templates": list(templates.synced_items),
                "invalidated": list(templates.cache_invalidated),
                "settings": list(config.synced_items),
                "reloaded": config.config_reloaded,
            }
        )

    return Starlette(routes=[Route("/", home), Route("/admin/pull", pull, methods=["POST"])])


def test_the_app_serves_a_template_changed_through_a_sync_without_restart(
    tmp_path: Path, bucket: str, s3: Any, storage_config: MemoryCache
) -> None:
    app_folder = tmp_path / "app"
    build_tree(
        app_folder,
        {
            "templates/home.html": "<p>{{ greeting }}, {{ name }}!</p>",
            "settings/app.yml": "greeting: Hello\n",
        },
    )
    configure(root=f"s3://{bucket}/shop")
    app = make_app(app_folder)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            assert (await client.get("/")).text == "<p>Hello, Ann!</p>"
            # First sync: the app's files go up to the (empty) storage.
            first = (await client.post("/admin/pull")).json()
            assert first["templates"] == [str((app_folder / "templates/home.html").as_posix())]
            assert s3.cat_file(f"{bucket}/shop/templates/home.html").startswith(b"<p>")

            # Another deployment changes the template and a setting in storage.
            s3.pipe_file(
                f"{bucket}/shop/templates/home.html", b"<h1>{{ greeting }}, {{ name }}</h1>"
            )
            s3.pipe_file(f"{bucket}/shop/settings/app.yml", b"greeting: Welcome back\n")
            assert (await client.get("/")).text == "<p>Hello, Ann!</p>"  # nothing synced yet

            second = (await client.post("/admin/pull")).json()
            assert second["invalidated"] == ["templsync:templates:home.html"]
            assert second["reloaded"] is True
            assert (await client.get("/")).text == "<h1>Welcome back, Ann</h1>"

    asyncio.run(scenario())
    # The app read the new template through the cache: its entry holds the new source.
    assert storage_config.get("templsync:templates:home.html") == (
        b"<h1>{{ greeting }}, {{ name }}</h1>"
    )
