"""A DynamoDB table written before the packs (the kept sums) existed: summed once, its
report reads give what the records hold, as SQLite's do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portfolio.errors import InputError
from portfolio.store.callstats import CallNote
from portfolio.store.dynamodb import DynamoDBStore
from portfolio.store.dynamodb.transfer import metrics_item
from portfolio.store.kinds import TimeRange
from portfolio.store.sqlite import SQLiteStore
from tests.contract.test_transfer import HOUR, fill, listed, report_reads
from tests.dynamodb_local import dynamodb_store


@pytest.fixture
def dynamo(tmp_path: Path) -> Iterator[DynamoDBStore]:
    for store in dynamodb_store(tmp_path):
        assert isinstance(store, DynamoDBStore)
        yield store


def test_records_without_packs_are_read_once_summed(dynamo: DynamoDBStore, tmp_path: Path) -> None:
    sqlite = SQLiteStore(tmp_path / "kept.db")
    fill(sqlite)
    # The items as a version before the packs wrote them: records only.
    items = [metrics_item(kind, r) for kind, r in listed(sqlite) if kind.value != "user"]
    dynamo._batch_put(CallNote(), dynamo.metrics_table, items)
    assert report_reads(dynamo) != report_reads(sqlite)  # no packs: the report reads nothing
    assert dynamo.sum_again(TimeRange(HOUR, HOUR + 3600)) == 1
    assert report_reads(dynamo) == report_reads(sqlite)
    with pytest.raises(InputError, match="both ends"):
        dynamo.sum_again(TimeRange(HOUR, None))
    sqlite.close()
