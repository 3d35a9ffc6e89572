"""The shop's API: the generated schemas in and out, the models in SQLite."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from tortoise import Tortoise

from templsync.schema.lifespan import schema_sync

from .models import Customer, Order, Product
from .schemas import CustomerCreate, ProductCreate
from .schemas_generated import (
    CustomerResponse,
    OrderCreate,
    OrderResponse,
    ProductResponse,
    ProductUpdate,
)

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with schema_sync(ROOT):
        database = os.environ.get("SHOP_DATABASE", "sqlite://:memory:")
        await Tortoise.init(db_url=database, modules={"models": ["shop.models"]})
        await Tortoise.generate_schemas()
        try:
            yield
        finally:
            await Tortoise.close_connections()


app = FastAPI(lifespan=lifespan)


@app.post("/customers", response_model=CustomerResponse, status_code=201)
async def create_customer(body: CustomerCreate) -> Customer:
    values = body.model_dump(exclude_unset=True, exclude={"password"})
    digest = hashlib.sha256(body.password.encode()).hexdigest()
    return await Customer.create(**values, password_hash=digest)


@app.post("/products", response_model=ProductResponse, status_code=201)
async def create_product(body: ProductCreate) -> Product:
    return await Product.create(**body.model_dump(exclude_unset=True))


@app.get("/products/{product_id}", response_model=ProductResponse)
async def read_product(product_id: int) -> Product:
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise HTTPException(404, "no such product")
    return product


@app.patch("/products/{product_id}", response_model=ProductResponse)
async def update_product(product_id: int, body: ProductUpdate) -> Product:
    product = await read_product(product_id)
    product.update_from_dict(body.model_dump(exclude_unset=True))
    await product.save()
    return product


@app.post("/orders", response_model=OrderResponse, status_code=201)
async def create_order(body: OrderCreate) -> Order:
    return await Order.create(**body.model_dump(exclude_unset=True))
