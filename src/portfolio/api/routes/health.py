"""GET /health: liveness and readiness in one answer, for the ALB and the prober.

It is the most frequent request the service gets (load balancer, prober, people),
so it skips dependency injection and model validation and writes its JSON with
orjson directly; the ``Health`` schema still documents the answer in OpenAPI.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response

from portfolio import __version__
from portfolio.api.runtime import Runtime
from portfolio.api.schemas import Health
from portfolio.names import HEALTH_PATH

router = APIRouter(tags=["health"])
NO_STORE = (b"cache-control", b"no-store")
"""A health answer is about now: no cache between the prober and the worker may keep it."""


@router.get(
    HEALTH_PATH,
    response_model=Health,
    responses={503: {"model": Health, "description": "Not ready: the reason is given."}},
)
async def health(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    ready, reason = await runtime.readiness()
    body = {
        "status": "ok" if ready else "unavailable",
        "ready": ready,
        "version": __version__,
        "uptime_s": round(runtime.uptime_s, 3),
        "task": runtime.task_id,
        "store": {"backend": runtime.store.backend, "reachable": ready, "detail": reason},
        "reason": None if ready else f"store unreachable: {reason}",
    }
    response = Response(
        orjson.dumps(body), status_code=200 if ready else 503, media_type="application/json"
    )
    response.raw_headers.append(NO_STORE)  # as bytes: a ``headers=`` dict costs more than the rest
    return response
