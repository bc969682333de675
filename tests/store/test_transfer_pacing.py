"""Bulk DynamoDB writes stay within the table's write ceiling (MaxWriteRequestUnits)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portfolio.store.dynamodb import DynamoDBStore
from portfolio.store.dynamodb.pacing import WriteBudget, write_units
from portfolio.store.kinds import Kind
from portfolio.store.records import ResourceSample
from tests.contract.test_transfer import HOUR
from tests.dynamodb_local import dynamodb_store, shared_client


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def test_a_budget_keeps_the_long_run_rate_at_its_ceiling() -> None:
    time = FakeTime()
    budget = WriteBudget(50, clock=time.clock, sleep=time.sleep)
    for _ in range(40):
        budget.spend(25)  # 1000 units at 50 a second: 20 s, less the first second's burst
    assert time.slept == pytest.approx(19.0)
    time.now += 10  # an idle spell refills one second's burst, not more
    budget.spend(50)
    assert time.slept == pytest.approx(19.0)
    budget.spend(50)
    assert time.slept == pytest.approx(20.0)


def test_no_ceiling_never_waits() -> None:
    time = FakeTime()
    budget = WriteBudget(None, clock=time.clock, sleep=time.sleep)
    budget.spend(1_000_000)
    assert time.slept == 0


def test_write_units_are_per_started_kilobyte() -> None:
    assert [write_units(n) for n in (0, 1, 1024, 1025, 4096)] == [1, 1, 1, 2, 4]


@pytest.fixture
def capped(tmp_path: Path) -> Iterator[DynamoDBStore]:
    for store in dynamodb_store(tmp_path):
        assert isinstance(store, DynamoDBStore)
        client = shared_client()  # sets what the CDK app sets on AWS
        for table in (store.users_table, store.metrics_table):
            client.update_table(
                TableName=table,
                OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
            )
        yield store


def test_puts_are_paced_to_the_ceiling_the_table_declares(capped: DynamoDBStore) -> None:
    assert capped.write_ceilings() == {capped.users_table: 50.0, capped.metrics_table: 50.0}
    samples = [
        (Kind.RESOURCE_SAMPLE, ResourceSample(HOUR + 60 * i, "t1", 1.0, 2, 3.0)) for i in range(10)
    ]
    result = capped.put_records(samples)
    assert result.retries == 0
    # One unit per small item, then the hour's pack: its records read back (one
    # consistent read unit) and the pack written (one unit).
    assert result.capacity_units == pytest.approx(10.0 + 1.0 + 1.0)
