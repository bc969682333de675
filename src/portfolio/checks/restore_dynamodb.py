"""The restore test on a live DynamoDB table: what a point-in-time restore can prove.

The service writes ``portfolio-metrics`` every few seconds, so a restored copy never has
the source's item count *now*. What a restore to a point P must hold is every item that
existed at P and has not changed since. Telemetry rows are written once, after their
minute (or hour) closed, and are keyed by their time; users are keyed by a ULID, which
starts with its creation time. So both sides count the *settled* items: those whose time
is older than P minus a settling margin (an hour covers the hourly rollups written after
their hour), and that expire, if ever, only after now (TTL deletes expired items up to
days late, on either side). Items with no time in their key (the e-mail guard items)
are left out, and the result says on what basis it compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from portfolio.checks.restore_sweep import scratch_name, sweep_scratch_tables
from portfolio.checks.snapshot import RestoreTest
from portfolio.cloud import NOT_FOUND, Aws, error_code
from portfolio.errors import SourceError
from portfolio.store import keys

SETTLE = timedelta(hours=1)
TIME_KEY_DIGITS = keys.TIME_DIGITS
MICROSECONDS_ABOVE = 10**12
"""Sort-key times above this are microseconds (the store uses seconds or µs)."""
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_TIME_CHARS = 10


def item_time(item: dict[str, Any]) -> datetime | None:
    """When an item was made, from its key: a time sort key, or a user's ULID."""
    sort_key = str(item.get("sk", {}).get("S", ""))
    head = sort_key[:TIME_KEY_DIGITS]
    if len(head) == TIME_KEY_DIGITS and head.isdigit():
        value = int(head)
        seconds = value / 1_000_000 if value > MICROSECONDS_ABOVE else value
        return datetime.fromtimestamp(seconds, UTC)
    partition = str(item.get("pk", {}).get("S", ""))
    if partition.startswith("USER#"):
        return ulid_time(partition.removeprefix("USER#"))
    return None


def ulid_time(ulid: str) -> datetime | None:
    head = ulid[:ULID_TIME_CHARS].upper()
    if len(head) != ULID_TIME_CHARS or any(c not in CROCKFORD for c in head):
        return None
    millis = 0
    for char in head:
        millis = millis * 32 + CROCKFORD.index(char)
    return datetime.fromtimestamp(millis / 1000, UTC)


def settled(cutoff: datetime, now: datetime, ttl_attribute: str | None) -> Callable[[Any], bool]:
    def keep(item: dict[str, Any]) -> bool:
        made = item_time(item)
        if made is None or made >= cutoff:
            return False
        if ttl_attribute and ttl_attribute in item:
            return float(item[ttl_attribute]["N"]) > now.timestamp()
        return True

    return keep


def count_settled(dynamodb: Any, table: str, keep: Callable[[Any], bool]) -> int:
    count, start = 0, None
    while True:
        kwargs: dict[str, Any] = {"TableName": table}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = dynamodb.scan(**kwargs)
        count += sum(1 for item in page.get("Items", []) if keep(item))
        start = page.get("LastEvaluatedKey")
        if not start:
            return count


def ttl_attribute(table: str) -> str | None:
    """The TTL attribute of the store's table ``table`` names (any environment's)."""
    for schema in keys.TABLES:
        if schema.name in table:  # "portfolio-metrics", "portfolio-metrics-staging", ...
            return schema.ttl_attribute
    return None


def restore_point(dynamodb: Any, table: str) -> datetime:
    """The latest time the table can be restored to (PITR's LatestRestorableDateTime)."""
    described = dynamodb.describe_continuous_backups(TableName=table)
    recovery = described["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
    latest = recovery.get("LatestRestorableDateTime")
    if not isinstance(latest, datetime):
        raise SourceError(f"{table}: PITR reports no latest restorable time")
    return latest.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Begun:
    """A point-in-time restore of ``table`` under way into ``scratch``."""

    table: str
    scratch: str
    point: datetime
    now: datetime
    swept: tuple[str, ...] = ()

    @property
    def cutoff(self) -> datetime:
        return self.point - SETTLE

    @property
    def basis(self) -> str:
        return (
            f"restored to {self.point:%Y-%m-%d %H:%M} UTC; items made before"
            f" {self.cutoff:%Y-%m-%d %H:%M} UTC"
        ) + (
            f"; deleted {len(self.swept)} stale scratch table(s): {', '.join(self.swept)}"
            if self.swept
            else ""
        )


def begin_restore(dynamodb: Any, table: str, now: datetime) -> Begun | RestoreTest:
    """Sweep ``table``'s stale scratch copies, then start its restore into a new one.

    A table that does not exist, or has no point-in-time recovery, gives a failed
    RestoreTest at once (nothing was created).
    """
    swept = sweep_scratch_tables(dynamodb, table, now)
    scratch = scratch_name(table, now)
    try:
        point = restore_point(dynamodb, table)
        dynamodb.restore_table_to_point_in_time(
            SourceTableName=table, TargetTableName=scratch, RestoreDateTime=point
        )
    except ClientError as err:
        code = error_code(err)
        if code in NOT_FOUND or code in ("PointInTimeRecoveryUnavailableException",):
            return RestoreTest(table, None, None, 0.0, error=code)
        raise
    return Begun(table, scratch, point, now, tuple(swept))


def compare_copy(dynamodb: Any, begun: Begun, seconds: float) -> RestoreTest:
    """Count the settled items of the source and of its (active) restored copy."""
    keep = settled(begun.cutoff, begun.now, ttl_attribute(begun.table))
    source_items = count_settled(dynamodb, begun.table, keep)
    restored = count_settled(dynamodb, begun.scratch, keep)
    return RestoreTest(begun.table, source_items, restored, seconds, basis=begun.basis)


def restore_test_table(
    aws: Aws, table: str, *, wait_s: int = 3600, now: datetime | None = None
) -> RestoreTest:
    """Restore ``table`` to a point into a scratch table; compare settled items; delete it.

    The scratch table is deleted whatever happens once it exists, so a failed comparison
    never leaves a billed copy behind; copies left by a run killed from outside are swept
    first (``restore_sweep``). This waits in-process: the original design's ECS task has
    no time limit; the serverless design runs the same steps in a state machine
    (``restore_steps``) instead of inside Lambda's 15 minutes.
    """
    dynamodb = aws.client("dynamodb")
    started = time.monotonic()
    begun = begin_restore(dynamodb, table, now or datetime.now(UTC))
    if isinstance(begun, RestoreTest):
        return replace(begun, seconds=time.monotonic() - started)
    try:
        dynamodb.get_waiter("table_exists").wait(
            TableName=begun.scratch,
            WaiterConfig={"Delay": 10, "MaxAttempts": max(1, wait_s // 10)},
        )
        return compare_copy(dynamodb, begun, time.monotonic() - started)
    except WaiterError as err:
        raise SourceError(
            f"the restored table {begun.scratch} did not become active: {err}"
        ) from err
    finally:
        dynamodb.delete_table(TableName=begun.scratch)
