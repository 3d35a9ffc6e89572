from fastapi import FastAPI

from app.config import settings

app = FastAPI(title=settings.name)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/orders/{order_id}")
def get_order(order_id: int) -> dict[str, int]:
    return {"id": order_id}
