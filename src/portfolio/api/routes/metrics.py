"""/api/v1/metrics: the service's own request metrics for a bounded time range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from portfolio.api.deps import RuntimeDep, StoreDep
from portfolio.api.schemas import MetricsResponse
from portfolio.names import METRICS_PATH
from portfolio.telemetry.query import Step, metrics_window, validate_range

router = APIRouter(prefix=METRICS_PATH, tags=["metrics"])


@router.get(
    "",
    response_model=MetricsResponse,
    responses={422: {"description": "Bad range, step or too many points."}},
)
def get_metrics(
    store: StoreDep,
    runtime: RuntimeDep,
    start: Annotated[
        datetime | None, Query(description="Range start (ISO 8601 with zone); default end − 1 h")
    ] = None,
    end: Annotated[datetime | None, Query(description="Range end, exclusive; default now")] = None,
    step: Annotated[Step, Query(description="Bucket width")] = "minute",
    endpoint: Annotated[
        str | None, Query(max_length=200, description="Only this endpoint template")
    ] = None,
) -> MetricsResponse:
    end = end or datetime.now(UTC)
    start = start or end - timedelta(hours=1)
    api = runtime.settings.api
    validate_range(
        start, end, step, max_points=api.max_metric_points, max_days=api.max_metric_range_days
    )
    window = metrics_window(store, start, end, step, endpoint=endpoint)
    return MetricsResponse.model_validate(window, from_attributes=True)
