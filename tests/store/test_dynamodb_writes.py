"""Merged telemetry items on DynamoDB Local: a retried write is counted once.

A write whose response is lost (a read timeout) is sent again by the retry
policy; when its first attempt had landed, the retry must recognise its own
write instead of merging the counts a second time. The lost response is made
real: the request reaches DynamoDB Local and is applied, then the client raises
the timeout a broken connection would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from botocore.exceptions import ReadTimeoutError

from portfolio.sketch import LatencySketch
from portfolio.store.dynamodb import DynamoDBStore
from portfolio.store.records import LogCount, Rollup, StoreCallStat
from tests.dynamodb_local import dynamodb_store

pytestmark = pytest.mark.slow

MINUTE = (int(time.time()) // 3600 - 2) * 3600


@pytest.fixture
def dynamo(tmp_path: Path) -> Iterator[DynamoDBStore]:
    for store in dynamodb_store(tmp_path):
        assert isinstance(store, DynamoDBStore)
        store.retry = type(store.retry)(sleep=lambda _: None)
        yield store


class LoseResponses:
    """Raise a read timeout after the next ``n`` PutItem calls have been applied."""

    def __init__(self, store: DynamoDBStore, n: int) -> None:
        self.left = n
        self.events = store._client.meta.events

    def __enter__(self) -> LoseResponses:
        self.events.register("after-call.dynamodb.PutItem", self)
        return self

    def __exit__(self, *_: object) -> None:
        self.events.unregister("after-call.dynamodb.PutItem", self)

    def __call__(self, http_response: Any, **_: Any) -> None:
        if self.left > 0 and http_response.status_code == 200:
            self.left -= 1
            raise ReadTimeoutError(endpoint_url="http://127.0.0.1 (response lost)")


def rollup(latencies: list[float]) -> Rollup:
    sketch = LatencySketch()
    sketch.add_many(np.array(latencies))
    return Rollup(MINUTE, "/x", "GET", 200, "task-a", len(latencies), 0, 0, sketch)


def test_a_rollup_whose_response_was_lost_is_counted_once(dynamo: DynamoDBStore) -> None:
    with LoseResponses(dynamo, 1) as lost:
        dynamo.write_rollups([rollup([1.0, 2.0])], resolution="minute")
    assert lost.left == 0
    dynamo.write_rollups([rollup([3.0])], resolution="minute")  # a later write merges
    with LoseResponses(dynamo, 1):  # a lost response on the merge path, too
        dynamo.write_rollups([rollup([4.0])], resolution="minute")
    (stored,) = dynamo.read_rollups(MINUTE, MINUTE + 60)
    assert (stored.count, stored.sketch.count, stored.sketch.sum) == (4, 4, 10.0)


def test_a_log_count_whose_response_was_lost_is_counted_once(dynamo: DynamoDBStore) -> None:
    """It used to be an ADD, which the retry applied twice."""
    with LoseResponses(dynamo, 1):
        dynamo.write_log_counts([LogCount(MINUTE, "task-a", "ERROR", 5)])
    with LoseResponses(dynamo, 1):
        dynamo.write_log_counts([LogCount(MINUTE, "task-a", "ERROR", 2)])
    (count,) = dynamo.read_log_counts(MINUTE, MINUTE + 60)
    assert count.count == 7


def test_store_statistics_whose_response_was_lost_are_counted_once(
    dynamo: DynamoDBStore,
) -> None:
    stat = StoreCallStat(MINUTE, "task-a", "dynamodb", "get_user", 3, 1, 0, 6.0, 4.0, 1.5)
    with LoseResponses(dynamo, 1):
        dynamo.write_store_stats([stat])
    (stored,) = [s for s in dynamo.read_store_stats(MINUTE, MINUTE + 60) if s.task == "task-a"]
    assert (stored.count, stored.errors, stored.latency_sum_ms) == (3, 1, 6.0)


def test_a_pack_whose_response_was_lost_is_counted_once(dynamo: DynamoDBStore) -> None:
    """The hour's pack (store/dynamodb/packed.py) is a merged item too: a lost response
    of its first write, or of a merge into the copy the process kept, counts once."""
    with LoseResponses(dynamo, 2) as lost:  # the minute's item, then the hour's pack
        dynamo.write_rollups([rollup([1.0, 2.0])], resolution="minute")
    assert lost.left == 0
    dynamo.write_rollups([rollup([3.0])], resolution="minute")  # merged into the kept copy
    with LoseResponses(dynamo, 2) as lost:
        dynamo.write_rollups([rollup([4.0])], resolution="minute")
    assert lost.left == 0
    (totals,) = dynamo.read_minute_totals(MINUTE, MINUTE + 60)
    assert (totals.count, totals.latency_sum_ms) == (4, 10.0)
