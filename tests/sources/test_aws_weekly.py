"""The AWS weekly review reads traffic from the service's telemetry, on both designs.

Issue 22: the serverless design has no load balancer, so a review that read ALB metrics
saw no traffic at all. moto holds the account (the original design's load balancer and
service included), DynamoDB Local the metrics table with two weeks of rollups whose
truth is known, Route 53's checker requests among them; each design's review gives the
week's users' requests and 5xx exactly, its p95 within the sketch's accuracy, and the
checkers' requests in neither the totals nor the per-endpoint table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from portfolio import names
from portfolio.checks import aws_weekly
from portfolio.checks.run import CheckContext
from portfolio.config import Design, Settings
from portfolio.sketch import RELATIVE_ACCURACY, LatencySketch
from portfolio.store import open_store
from portfolio.store.dynamodb import DynamoDBStore
from portfolio.store.records import Rollup
from tests.dynamodb_local import new_table_prefix, shared_client
from tests.sources.aws_month import Truth
from tests.sources.moto_aws import Moto, aws_env, seed, start_moto

AT = datetime(2025, 8, 18, 0, 30, tzinfo=UTC)
END = datetime(2025, 8, 18, tzinfo=UTC)
WEEK = timedelta(days=7)
USER_ENDPOINTS = (names.HEALTH_PATH, names.USERS_PATH, names.METRICS_PATH)


@dataclass
class Week:
    truth: Truth = field(default_factory=Truth)
    by_endpoint: dict[str, int] = field(default_factory=dict)


def _rollup(minute: int, endpoint: str, status: int, values: np.ndarray) -> Rollup:
    sketch = LatencySketch()
    sketch.add_many(values.astype(np.float64))
    return Rollup(minute, endpoint, "GET", status, "task-a", count=int(values.size),
                  bytes_in=0, bytes_out=100 * int(values.size), sketch=sketch)  # fmt: skip


def _seed_week(start: datetime, rng: np.random.Generator, rollups: list[Rollup]) -> Week:
    week = Week()
    for hour in range(0, 7 * 24, 5):
        minute = int((start + timedelta(hours=hour, minutes=17)).timestamp())
        for endpoint in USER_ENDPOINTS:
            for status in (200, 500):
                n = int(rng.integers(1, 6))
                values = rng.lognormal(mean=3.0, sigma=0.8, size=n)
                rollups.append(_rollup(minute, endpoint, status, values))
                week.truth.requests += n
                week.truth.errors_5xx += n if status >= 500 else 0
                week.truth.latencies += values.tolist()
                week.by_endpoint[endpoint] = week.by_endpoint.get(endpoint, 0) + n
        # Route 53's checkers: many, fast, and never a user's request.
        rollups.append(_rollup(minute, names.OUTSIDE_PROBE_ENDPOINT, 200, np.full(30, 1.0)))
    return week


@pytest.fixture(scope="module")
def account() -> Iterator[Moto]:
    aws_env()
    yield from start_moto()


@pytest.fixture(scope="module")
def weeks(account: Moto) -> Iterator[tuple[Settings, Week, Week]]:
    seed(account)
    prefix = new_table_prefix()
    settings = Settings(
        store={
            "backend": "dynamodb",
            "dynamodb_endpoint_url": shared_client().meta.endpoint_url,
            "users_table": f"{prefix}-portfolio-users",
            "metrics_table": f"{prefix}-portfolio-metrics",
        }
    )
    admin = DynamoDBStore.from_settings(settings)
    admin.create_tables()
    rng = np.random.default_rng(22)
    rollups: list[Rollup] = []
    this_week = _seed_week(END - WEEK, rng, rollups)
    last_week = _seed_week(END - 2 * WEEK, rng, rollups)
    # The hour the review runs in is not part of its week.
    rollups.append(_rollup(int(END.timestamp()), names.USERS_PATH, 500, np.full(9, 900.0)))
    open_store(settings).write_rollups(rollups)
    yield settings, this_week, last_week
    admin.delete_tables()
    admin.close()


@pytest.mark.parametrize("design", [Design.ORIGINAL, Design.SERVERLESS])
def test_the_weekly_review_reads_the_weeks_traffic_from_telemetry(
    account: Moto, weeks: tuple[Settings, Week, Week], design: Design
) -> None:
    settings, this_week, last_week = weeks
    settings = settings.model_copy(update={"design": design})
    store = open_store(settings)
    context = CheckContext(settings=settings, store=store, endpoint_url=account.endpoint, now=AT)
    snapshot = aws_weekly.weekly(context, AT)

    assert snapshot.this_week is not None
    assert snapshot.last_week is not None
    assert (snapshot.this_week.requests, snapshot.this_week.errors_5xx) == (
        this_week.truth.requests,
        this_week.truth.errors_5xx,
    )
    assert (snapshot.last_week.requests, snapshot.last_week.errors_5xx) == (
        last_week.truth.requests,
        last_week.truth.errors_5xx,
    )
    for q, got in ((0.50, snapshot.this_week.p50_ms), (0.95, snapshot.this_week.p95_ms)):
        exact = this_week.truth.exact(q)
        assert got is not None
        assert got == pytest.approx(exact, rel=RELATIVE_ACCURACY, abs=0.01), q
    assert snapshot.endpoints is not None
    assert {e.endpoint: e.requests for e in snapshot.endpoints} == this_week.by_endpoint
    assert "telemetry" in snapshot.source
