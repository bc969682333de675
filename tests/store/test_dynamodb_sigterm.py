"""SIGTERM on DynamoDB: every request recorded before it is written, the open minute too.

The flush interval is far longer than the test, and the minute is still open
when the server stops, so only the shutdown flush can have written the rollups.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portfolio.store.dynamodb import DynamoDBStore, make_client
from tests.conftest import WRITE_KEY
from tests.dynamodb_local import new_table_prefix
from tests.server import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture
def tables(dynamodb_endpoint: str) -> Iterator[DynamoDBStore]:
    prefix = new_table_prefix()
    store = DynamoDBStore(
        make_client(dynamodb_endpoint, "us-east-1"),
        users_table=f"{prefix}-portfolio-users",
        metrics_table=f"{prefix}-portfolio-metrics",
    )
    store.create_tables()
    yield store
    store.delete_tables()
    store.close()


def test_sigterm_writes_all_recorded_telemetry_to_dynamodb(
    tmp_path: Path, dynamodb_endpoint: str, tables: DynamoDBStore
) -> None:
    server = ServerProcess(
        tmp_path / "unused.db",
        workers=2,
        PORTFOLIO_API_KEYS=WRITE_KEY,
        PORTFOLIO_STORE__BACKEND="dynamodb",
        PORTFOLIO_STORE__DYNAMODB_ENDPOINT_URL=dynamodb_endpoint,
        PORTFOLIO_STORE__USERS_TABLE=tables.users_table,
        PORTFOLIO_STORE__METRICS_TABLE=tables.metrics_table,
        PORTFOLIO_TELEMETRY__FLUSH_INTERVAL_S="300",
    )
    server.start(timeout_s=60)
    started = int(time.time())
    sent = 0
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(30):
            assert client.get("/api/v1/users").status_code == 200
            sent += 1
    assert server.terminate() == 0
    hour = started - started % 3600
    minutes = [r for r in tables.read_rollups(hour, hour + 7200) if r.endpoint == "/api/v1/users"]
    hours = [
        r
        for r in tables.read_rollups(hour, hour + 7200, resolution="hour")
        if r.endpoint == "/api/v1/users"
    ]
    assert sum(r.count for r in minutes) == sent
    assert sum(r.count for r in hours) == sent
