"""The baseline: a bare FastAPI app, no store, no telemetry, no middleware.

``/health`` answers ``{"status": "ok"}``. ``/api/v1/users`` answers the JSON the real
API gave for ``GET /api/v1/users?limit=20`` (the bench writes it to the file named by
``BENCH_USERS_JSON``), returned the way a plain FastAPI endpoint returns data, so the
ratio measures everything our API adds around the same answer.
"""

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

app = FastAPI()

_USERS_FILE = os.environ.get("BENCH_USERS_JSON")
USERS: Any = json.loads(Path(_USERS_FILE).read_text()) if _USERS_FILE else None


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


if USERS is not None:

    @app.get("/api/v1/users")
    async def users() -> Any:
        return USERS


def create_app() -> FastAPI:
    return app
