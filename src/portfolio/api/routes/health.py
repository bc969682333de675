"""GET /health: liveness and readiness in one answer, for the ALB and the prober.

It is the most frequent request the service gets (load balancer, prober, people),
so it skips dependency injection and model validation and writes its JSON with
orjson directly; the ``Health`` schema still documents the answer in OpenAPI.

Anyone learns whether the worker is ready and, if not, why in one word; the
version, the task (host and process) and the store's own message are for a caller
with an API key (and the log): they help an attacker more than a load balancer.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from portfolio import __version__
from portfolio.api.runtime import Runtime
from portfolio.api.schemas import Health
from portfolio.config import match_api_key
from portfolio.names import HEALTH_PATH

router = APIRouter(tags=["health"])
NO_STORE = (b"cache-control", b"no-store")
"""A health answer is about now: no cache between the prober and the worker may keep it."""


@router.get(
    HEALTH_PATH,
    response_model=Health,
    responses={503: {"model": Health, "description": "Not ready: the reason in one word."}},
)
async def health(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    readiness = await runtime.readiness()
    body: dict[str, Any] = {
        "status": "ok" if readiness.ready else "unavailable",
        "ready": readiness.ready,
        "reason": readiness.reason,
    }
    if _keyed(runtime, request.headers.get("authorization")):
        body |= {
            "version": __version__,
            "uptime_s": round(runtime.uptime_s, 3),
            "task": runtime.task_id,
            "store": {
                "backend": runtime.store.backend,
                "reachable": readiness.ready,
                "detail": readiness.detail,
            },
        }
    response = Response(
        orjson.dumps(body),
        status_code=200 if readiness.ready else 503,
        media_type="application/json",
    )
    response.raw_headers.append(NO_STORE)  # as bytes: a ``headers=`` dict costs more than the rest
    return response


def _keyed(runtime: Runtime, authorization: str | None) -> bool:
    """A valid API key shows the details; no key or a wrong one shows the short answer.

    Never 401 here: the load balancer sends no key and must get its answer.
    """
    if authorization is None:
        return False
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return match_api_key(runtime.settings.parsed_api_keys(), token.strip()) is not None
