import structlog
from fastapi import FastAPI

from app.config import settings

app = FastAPI(title=settings.name)
log = structlog.get_logger()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
