"""Stale scratch tables: the copies a restore test left when its run died.

A restore test deletes its scratch table whatever happens inside the run, but a run can
be killed from outside (a stopped task, a state machine execution that reached its time
limit) between the restore and the delete; the copy is then billed until someone
notices. Each restore test first sweeps its table's copies that are older than any live
run can be: scratch tables are named ``<table>-restore-test-<unix seconds>``, so the age
is in the name and another run's copy still in use (younger than ``SWEEP_AFTER``) is
left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from portfolio.cloud import NOT_FOUND, error_code

SCRATCH_MARK = "-restore-test-"
SWEEP_AFTER = timedelta(hours=6)
"""Longer than a whole restore test run: the ECS job waits at most an hour per table;
the serverless state machine's execution is bounded at 5 hours (``restore_machine``)."""
BUSY = ("ResourceInUseException",)
"""A table still restoring cannot be deleted yet: the next run sweeps it."""


def scratch_name(table: str, at: datetime) -> str:
    """The scratch table of a restore of ``table`` started at ``at``."""
    return f"{table}{SCRATCH_MARK}{int(at.timestamp())}"


def _table_names(dynamodb: Any) -> Iterator[str]:
    start: str | None = None
    while True:
        page = dynamodb.list_tables(**({"ExclusiveStartTableName": start} if start else {}))
        yield from page.get("TableNames", [])
        start = page.get("LastEvaluatedTableName")
        if not start:
            return


def stale_scratch_tables(names: Iterator[str] | list[str], table: str, now: datetime) -> list[str]:
    """The names among ``names`` that are ``table``'s scratch copies older than the bound."""
    prefix = f"{table}{SCRATCH_MARK}"
    oldest_live = now.timestamp() - SWEEP_AFTER.total_seconds()
    return [
        name
        for name in names
        if name.startswith(prefix)
        and (stamp := name.removeprefix(prefix)).isdigit()
        and int(stamp) < oldest_live
    ]


def sweep_scratch_tables(dynamodb: Any, table: str, now: datetime) -> list[str]:
    """Delete ``table``'s stale scratch copies; return the names deleted."""
    swept = []
    for name in stale_scratch_tables(_table_names(dynamodb), table, now):
        try:
            dynamodb.delete_table(TableName=name)
        except ClientError as err:
            if error_code(err) in NOT_FOUND or error_code(err) in BUSY:
                continue
            raise
        swept.append(name)
    return swept
