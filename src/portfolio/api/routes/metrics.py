"""/api/v1/metrics: the service's own request metrics for a bounded time range.

Anyone may read them, so what one anonymous request may cost is bounded: a
shorter range and fewer points than with an API key (a 61-day hourly window is
a megabyte and most of a second of work). Answers about closed periods do not
change, so they are kept, serialized, and reused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BeforeValidator

from portfolio.api.deps import CallerDep, RuntimeDep, StoreDep
from portfolio.api.problems import ProblemError
from portfolio.api.schemas import MetricsResponse
from portfolio.errors import InputError
from portfolio.names import METRICS_PATH
from portfolio.telemetry.query import Step, metrics_window, resolve_range, validate_range

router = APIRouter(prefix=METRICS_PATH, tags=["metrics"])

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: object) -> object:
    """Only what OpenAPI's ``date-time`` means (RFC 3339 with an offset): pydantic alone
    would also take a bare number as a Unix time, or a date without a time."""
    if not isinstance(value, str) or RFC3339.fullmatch(value) is None:
        raise ValueError("use an RFC 3339 time with its offset, e.g. 2025-08-01T00:00:00Z")
    return value


Time = Annotated[datetime, BeforeValidator(_rfc3339)]

OPEN_CACHE_S = 5.0
"""A window that reaches into the last minutes still changes: reuse it only briefly."""


@router.get(
    "",
    response_model=MetricsResponse,
    responses={
        401: {"description": "The range or the points need an API key, or the key is unknown."},
        422: {"description": "Bad range, step or too many points."},
    },
)
def get_metrics(
    store: StoreDep,
    runtime: RuntimeDep,
    caller: CallerDep,
    start: Annotated[
        Time | None, Query(description="Range start (RFC 3339 with offset); default end − 1 h")
    ] = None,
    end: Annotated[Time | None, Query(description="Range end, exclusive; default now")] = None,
    step: Annotated[Step, Query(description="Bucket width")] = "minute",
    endpoint: Annotated[
        str | None, Query(max_length=200, description="Only this endpoint template")
    ] = None,
) -> Response:
    now = datetime.now(UTC)
    start, end = resolve_range(start, end, now=now)
    api = runtime.settings.api
    validate_range(
        start, end, step, max_points=api.max_metric_points, max_days=api.max_metric_range_days
    )
    if not caller.authenticated:
        try:
            validate_range(
                start,
                end,
                step,
                max_points=api.anonymous_max_metric_points,
                max_days=api.anonymous_max_metric_range_days,
            )
        except InputError as err:
            raise ProblemError(
                401,
                f"{err} without an API key; send 'Authorization: Bearer <key>' for up to"
                f" {api.max_metric_range_days} days and {api.max_metric_points} points",
                slug="metrics-need-key",
                headers={"WWW-Authenticate": 'Bearer realm="portfolio"'},
            ) from err

    def compute() -> bytes:
        window = metrics_window(store, start, end, step, endpoint=endpoint)
        return (
            MetricsResponse.model_validate(window, from_attributes=True)
            .model_dump_json(by_alias=True)
            .encode()
        )

    # Rollups of a minute are written within a flush interval of its end.
    settled = now - timedelta(seconds=60 + runtime.settings.telemetry.flush_interval_s)
    ttl_s = api.metrics_cache_s if end <= settled else min(OPEN_CACHE_S, api.metrics_cache_s)
    key = ("metrics", start, end, step, endpoint)
    body = runtime.cached(key, ttl_s, compute)
    return Response(body, media_type="application/json")
