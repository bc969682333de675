"""The baseline: a bare FastAPI app, no store, no telemetry, no middleware.

``/health`` answers ``{"status": "ok"}``. ``/api/v1/users`` answers the JSON the real
API gave for ``GET /api/v1/users?limit=20`` (the bench writes it to the file named by
``BENCH_USERS_JSON``, or hands it to ``make_app``), returned the way a plain FastAPI
endpoint returns data, so the ratio measures everything our API adds around the same answer.
"""

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI


def make_app(users: Any = None) -> FastAPI:
    bare = FastAPI()

    @bare.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    if users is not None:

        @bare.get("/api/v1/users")
        async def list_users() -> Any:
            return users

    return bare


_USERS_FILE = os.environ.get("BENCH_USERS_JSON")
app = make_app(json.loads(Path(_USERS_FILE).read_text()) if _USERS_FILE else None)


def create_app() -> FastAPI:
    return app
