"""/api/v1/status: what the public status page shows — current state, daily uptime, incidents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from portfolio.api.deps import RuntimeDep, StoreDep
from portfolio.api.schemas import StatusResponse
from portfolio.names import STATUS_PATH
from portfolio.telemetry.status import service_status

router = APIRouter(prefix=STATUS_PATH, tags=["status"])


@router.get("", response_model=StatusResponse)
def get_status(
    store: StoreDep,
    runtime: RuntimeDep,
    days: Annotated[int, Query(ge=1, le=90, description="Calendar days of uptime bars")] = 90,
) -> StatusResponse:
    report = runtime.settings.report

    def compute() -> StatusResponse:
        status = service_status(
            store,
            now=datetime.now(UTC),
            days=days,
            timezone=report.timezone,
            outage_min_minutes=report.outage_min_minutes,
        )
        return StatusResponse.model_validate(status, from_attributes=True)

    # 90 days of minute probes is ~130k rows: every visitor's poll must not re-read them.
    return runtime.cached(("status", days), runtime.settings.api.status_cache_s, compute)
