"""The serverless monthly state machine's restore steps on moto: start, verify, cleanup.

The state machine itself only waits and routes (tests/infra/test_restore_machine.py);
what each Lambda step does is run here against moto's DynamoDB, seeded with a month
whose settled items are known (12 users), on every path the machine can take.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from portfolio import names
from portfolio.checks import aws_monthly
from portfolio.checks.base import Kind
from portfolio.checks.restore_steps import (
    ScratchTableBusy,
    cleanup,
    results_from_event,
    run_step,
)
from portfolio.checks.restore_sweep import SWEEP_AFTER, scratch_name
from portfolio.checks.run import run_checks
from portfolio.checks.snapshot import RestoreTest
from portfolio.cloud import NOT_FOUND
from portfolio.store.records import FindingStatus
from tests.sources.moto_aws import Moto, Seeded
from tests.sources.test_aws_checks import _context


@pytest.fixture
def dynamodb(moto: Moto, seeded: Seeded) -> Any:
    return boto3.client("dynamodb", endpoint_url=moto.endpoint)


def _ours(dynamodb: Any, table: str) -> set[str]:
    return {t for t in dynamodb.list_tables()["TableNames"] if t.startswith(f"{table}-restore-")}


def _step(step: str, event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "restore_step": step}


def test_start_verify_cleanup_restores_compares_and_deletes_the_copy(dynamodb: Any) -> None:
    at = datetime.now(UTC)
    started = run_step(
        {"restore_step": "start", "table": names.USERS_TABLE, "at": at.isoformat()}, dynamodb
    )
    assert started["scratch"] == scratch_name(names.USERS_TABLE, at)
    assert started["scratch"] in _ours(dynamodb, names.USERS_TABLE)
    verified = run_step(_step("verify", started), dynamodb)
    assert (verified["source_items"], verified["restored_items"]) == (12, 12)
    assert verified["error"] is None
    assert "items made before" in verified["basis"]
    done = run_step(
        {
            "restore_step": "cleanup",
            "table": names.USERS_TABLE,
            "at": started["at"],
            "started": started["started"],
            "result": verified,
            "error": {},
        },
        dynamodb,
    )
    assert done == verified
    assert not _ours(dynamodb, names.USERS_TABLE)


def test_cleanup_after_a_failed_step_deletes_the_copy_and_reports_the_error(
    dynamodb: Any,
) -> None:
    at = datetime.now(UTC)
    started = run_step(
        {"restore_step": "start", "table": names.METRICS_TABLE, "at": at.isoformat()}, dynamodb
    )
    assert _ours(dynamodb, names.METRICS_TABLE)
    # What the TimedOut state (or a Catch) hands cleanup: no result, the error.
    done = cleanup(
        dynamodb,
        {
            "table": names.METRICS_TABLE,
            "at": started["at"],
            "started": started["started"],
            "result": {},
            "error": {"Error": "RestoreTimedOut", "Cause": "not ACTIVE after 120 polls"},
        },
    )
    assert not _ours(dynamodb, names.METRICS_TABLE)
    assert done["error"] == "RestoreTimedOut: not ACTIVE after 120 polls"
    assert done["source_items"] is None


def test_cleanup_when_start_died_finds_the_copy_by_its_name(dynamodb: Any) -> None:
    """Start may die after the restore began: the name follows from table and time."""
    at = datetime.now(UTC)
    run_step({"restore_step": "start", "table": names.USERS_TABLE, "at": at.isoformat()}, dynamodb)
    done = cleanup(
        dynamodb,
        {
            "table": names.USERS_TABLE,
            "at": at.isoformat(),
            "started": 0,
            "result": {},
            "error": {"Error": "Lambda.Unknown", "Cause": "Task timed out after 900 s"},
        },
    )
    assert not _ours(dynamodb, names.USERS_TABLE)
    assert done["error"].startswith("Lambda.Unknown: Task timed out")
    assert done["seconds"] == 0.0
    # Nothing left to delete: a second cleanup (a retry) is fine.
    again = cleanup(dynamodb, {"table": names.USERS_TABLE, "at": at.isoformat(), "error": {}})
    assert again["error"] == "the restore test stopped without a result"


def test_start_on_a_missing_table_makes_nothing_and_says_why(dynamodb: Any) -> None:
    started = run_step(
        {"restore_step": "start", "table": "no-such-table", "at": datetime.now(UTC).isoformat()},
        dynamodb,
    )
    assert started["scratch"] is None
    assert started["result"]["error"] in NOT_FOUND  # TableNotFoundException from PITR's call
    assert not _ours(dynamodb, "no-such-table")


def test_start_sweeps_a_dead_runs_copy_first(dynamodb: Any) -> None:
    now = datetime.now(UTC)
    dead = scratch_name(names.USERS_TABLE, now - SWEEP_AFTER - timedelta(minutes=1))
    dynamodb.create_table(
        TableName=dead,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    started = run_step(
        {"restore_step": "start", "table": names.USERS_TABLE, "at": now.isoformat()}, dynamodb
    )
    assert started["swept"] == [dead]
    cleanup(dynamodb, {**started, "result": {}, "error": {}})
    assert not _ours(dynamodb, names.USERS_TABLE)


class _Busy:
    """A DynamoDB client whose table is still being created."""

    def delete_table(self, **_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ResourceInUseException", "Message": "being created"}},
            "DeleteTable",
        )


def test_cleanup_of_a_copy_still_being_created_asks_to_be_retried() -> None:
    event = {"table": "t", "at": datetime.now(UTC).isoformat(), "result": {}, "error": {}}
    with pytest.raises(ScratchTableBusy):
        cleanup(_Busy(), event)


def test_an_unknown_step_is_refused(dynamodb: Any) -> None:
    with pytest.raises(Exception, match="unknown restore step"):
        run_step({"restore_step": "restart", "table": "t", "at": "2025-08-01T00:00:00Z"}, dynamodb)


def test_the_monthly_checklist_reports_the_machines_results_without_restoring(
    moto: Moto, seeded: Seeded, tmp_path: Any
) -> None:
    results = results_from_event(
        [
            {"table": names.USERS_TABLE, "source_items": 12, "restored_items": 12,
             "seconds": 310.0, "error": None, "basis": "restored to ..."},
            {"table": names.METRICS_TABLE, "seconds": 0,
             "error": "scratch table not deleted (States.Timeout); the next run sweeps it",
             "basis": ""},
        ]
    )  # fmt: skip
    assert results[1] == RestoreTest(
        names.METRICS_TABLE,
        None,
        None,
        0.0,
        error="scratch table not deleted (States.Timeout); the next run sweeps it",
    )
    dynamodb = boto3.client("dynamodb", endpoint_url=moto.endpoint)
    before = set(dynamodb.list_tables()["TableNames"])
    context = _context(moto, tmp_path, restore_test=True, restore_results=tuple(results))
    snapshot = aws_monthly.monthly(context, datetime.now(UTC))
    assert snapshot.restore_tests == results
    assert set(dynamodb.list_tables()["TableNames"]) == before  # no restore of its own
    run = run_checks(Kind.MONTHLY, "aws", context)
    finding = next(f for f in run.findings if f.check_id == "backup_restore_test")
    assert finding.status is FindingStatus.FAIL
    assert "scratch table not deleted" in finding.detail
