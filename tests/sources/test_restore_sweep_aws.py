"""The restore test on moto deletes the scratch tables a killed run left, and only those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from portfolio import names
from portfolio.checks.restore_dynamodb import restore_test_table
from portfolio.checks.restore_sweep import SWEEP_AFTER, scratch_name
from portfolio.cloud import Aws
from portfolio.config import Settings
from tests.sources.moto_aws import Moto, Seeded


def _scratch(dynamodb: object, name: str) -> None:
    dynamodb.create_table(  # type: ignore[attr-defined]
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_a_restore_test_sweeps_stale_scratch_tables_first(moto: Moto, seeded: Seeded) -> None:
    dynamodb = boto3.client("dynamodb", endpoint_url=moto.endpoint)
    now = datetime.now(UTC)
    dead_run = scratch_name(names.USERS_TABLE, now - SWEEP_AFTER - timedelta(minutes=1))
    live_run = scratch_name(names.USERS_TABLE, now - timedelta(minutes=10))
    other = scratch_name(f"{names.USERS_TABLE}-staging", now - timedelta(days=2))
    for name in (dead_run, live_run, other):
        _scratch(dynamodb, name)
    try:
        result = restore_test_table(Aws(Settings(), moto.endpoint), names.USERS_TABLE)
        left = set(dynamodb.list_tables()["TableNames"])
        assert dead_run not in left
        assert {live_run, other} <= left  # a live run's copy, another table's copy
        assert result.error is None
        assert result.source_items == result.restored_items
        assert f"deleted 1 stale scratch table(s): {dead_run}" in result.basis
        ours = {t for t in left if t.startswith(f"{names.USERS_TABLE}-restore-test-")}
        assert ours == {live_run}  # this run's own copy deleted too
    finally:
        for name in (dead_run, live_run, other):
            if name in dynamodb.list_tables()["TableNames"]:
                dynamodb.delete_table(TableName=name)
