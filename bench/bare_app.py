"""The baseline: a bare FastAPI app answering {"status": "ok"}, no store, no telemetry."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app() -> FastAPI:
    return app
