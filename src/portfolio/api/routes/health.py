"""GET /health: liveness and readiness in one answer, for the ALB and the prober."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from portfolio import __version__
from portfolio.api.deps import RuntimeDep
from portfolio.api.schemas import Health, StoreHealth
from portfolio.names import HEALTH_PATH

router = APIRouter(tags=["health"])


@router.get(
    HEALTH_PATH,
    response_model=Health,
    responses={503: {"model": Health, "description": "Not ready: the reason is given."}},
)
async def health(runtime: RuntimeDep) -> JSONResponse:
    ready, reason = await runtime.readiness()
    body = Health(
        status="ok" if ready else "unavailable",
        ready=ready,
        version=__version__,
        uptime_s=round(runtime.uptime_s, 3),
        task=runtime.task_id,
        store=StoreHealth(backend=runtime.store.backend, reachable=ready, detail=reason),
        reason=None if ready else f"store unreachable: {reason}",
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )
