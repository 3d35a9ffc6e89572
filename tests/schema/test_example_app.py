"""The FastAPI example (``examples/schema-app``) on the generated schemas: rows created through
the API land in a real SQLite file and come back through the Response schemas; the generated
file committed with it is what ``schema sync`` writes."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from templsync.cli.main import main
from templsync.schema.imports import project_imports

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "schema-app"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "schema-app"))


def test_the_committed_generated_file_is_current(example: Path) -> None:
    assert main(["schema", "sync", "--check", "-C", str(example)]) == 0
    assert main(["schema", "validate", "-C", str(example), "--quiet"]) == 0


async def scenario(app: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop") as client:
            customer = await client.post(
                "/customers", json={"email": "ada@example.com", "password": "correct horse"}
            )
            seen["customer"] = (customer.status_code, customer.json())
            short = await client.post("/customers", json={"email": "b@x", "password": "short"})
            seen["short password"] = short.status_code
            product = await client.post("/products", json={"name": "Lamp", "price": "19.90"})
            seen["product"] = (product.status_code, product.json())
            product_id = product.json()["id"]
            for name, body in {
                "forbidden": {"name": "Forbidden lamp", "price": "1"},
                "three places": {"name": "Lamp", "price": "1.999"},
                "negative": {"name": "Lamp", "price": "-1"},
                "client id": {"name": "Lamp", "price": "1", "id": 99},
            }.items():
                seen[name] = (await client.post("/products", json=body)).status_code
            patched = await client.patch(f"/products/{product_id}", json={"stock": 5})
            seen["patched"] = (patched.status_code, patched.json())
            seen["null name"] = (
                await client.patch(f"/products/{product_id}", json={"name": None})
            ).status_code
            order = await client.post(
                "/orders",
                json={"customer_id": customer.json()["id"], "product_id": product_id},
            )
            seen["order"] = (order.status_code, order.json())
            seen["read"] = (await client.get(f"/products/{product_id}")).json()
    return seen


def test_the_api_writes_and_reads_sqlite_through_the_generated_schemas(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = example / "shop.sqlite3"
    monkeypatch.setenv("SHOP_DATABASE", f"sqlite://{database}")
    monkeypatch.setenv("TEMPLSYNC_SCHEMA_WATCH_ENABLED", "false")
    with project_imports(example):
        app = importlib.import_module("shop.app").app
        seen = asyncio.run(scenario(app))
    status, customer = seen["customer"]
    assert status == 201 and customer["email"] == "ada@example.com"
    assert "password" not in customer and "password_hash" not in customer
    assert seen["short password"] == 422  # the manual file's validator
    status, product = seen["product"]
    assert status == 201
    assert product["price"] == "19.90" and product["stock"] == 0 and product["status"] == "draft"
    assert product["details"] == {} and len(product["sku"]) == 36
    assert {k: seen[k] for k in ("forbidden", "three places", "negative")} == {
        "forbidden": 422,
        "three places": 422,
        "negative": 422,
    }
    assert seen["client id"] == 201  # a generated key is not read from the request
    status, patched = seen["patched"]
    assert status == 200 and patched["stock"] == 5 and patched["name"] == "Lamp"
    assert patched["price"] == "19.90" and patched["status"] == "draft"  # PATCH reset nothing
    assert seen["null name"] == 422
    status, order = seen["order"]
    assert status == 201 and order["quantity"] == 1 and order["note"] is None
    assert seen["read"] == patched
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT id, name, price, stock, status FROM product").fetchall()
        orders = db.execute("SELECT customer_id, product_id, quantity FROM `order`").fetchall()
        hashes = db.execute("SELECT password_hash FROM customer").fetchall()
    assert rows[0][1:] == ("Lamp", "19.90", 5, "draft") and len(rows) == 2
    assert rows[1][0] != 99
    assert orders == [(customer["id"], product["id"], 1)]
    assert len(hashes[0][0]) == 64
