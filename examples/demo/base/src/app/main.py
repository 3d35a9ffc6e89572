from fastapi import FastAPI

from app.config import settings

app = FastAPI(title=settings.name)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
