"""The restore test as the steps of a state machine: start, verify, clean up.

A point-in-time restore takes minutes to hours, longer than Lambda's 15 minutes may
allow, and a function killed at its time limit runs no ``finally``: the scratch table
would stay, billed. So in the serverless design the monthly job is a Step Functions
state machine (``infra/portfolio_infra/restore_machine.py``): per table it invokes
``start`` here, waits and polls DescribeTable itself (a Wait state, no Lambda time),
invokes ``verify`` once the copy is ACTIVE, and ``cleanup`` on every path, success or
failure; then the monthly checklist runs with the results (``restore_tests`` in its
event). The original design's ECS task has no time limit and waits in-process
(``restore_dynamodb.restore_test_table``).

Each step is one Lambda invocation of the ops function with ``{"restore_step": ...}``;
what one step hands the next travels in the state machine's JSON. The scratch table's
name follows from the table and the execution's start time, so ``cleanup`` can delete
it even when ``start`` died after the restore began; a copy whose run died entirely
(the execution's time limit) is swept by the next run (``restore_sweep``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from portfolio.checks.restore_dynamodb import Begun, begin_restore, compare_copy
from portfolio.checks.restore_sweep import scratch_name
from portfolio.checks.snapshot import RestoreTest
from portfolio.cloud import NOT_FOUND, error_code
from portfolio.errors import ConfigError

STEP_KEY = "restore_step"
"""An event with this key is a restore step (``start``, ``verify`` or ``cleanup``)."""
RESULTS_KEY = "restore_tests"
"""The monthly job's event carries the state machine's results under this key."""
BUSY_CODES = ("ResourceInUseException",)


class ScratchTableBusy(Exception):
    """The scratch table is still being created: it cannot be deleted yet (retried)."""


def _begun(event: Mapping[str, Any]) -> Begun:
    return Begun(
        table=str(event["table"]),
        scratch=str(event["scratch"]),
        point=datetime.fromisoformat(str(event["point"])),
        now=datetime.fromisoformat(str(event["at"])),
        swept=tuple(event.get("swept", ())),
    )


def start(dynamodb: Any, table: str, at: datetime) -> dict[str, Any]:
    """Sweep stale copies, start the restore; what ``verify`` needs, or the failure."""
    begun = begin_restore(dynamodb, table, at)
    if isinstance(begun, RestoreTest):
        return {"table": table, "at": at.isoformat(), "scratch": None, "result": asdict(begun)}
    return {
        "table": table,
        "at": at.isoformat(),
        "scratch": begun.scratch,
        "point": begun.point.isoformat(),
        "swept": list(begun.swept),
        "started": time.time(),
    }


def verify(dynamodb: Any, event: Mapping[str, Any]) -> dict[str, Any]:
    """Compare the settled items of the source and its now ACTIVE copy."""
    seconds = time.time() - float(event["started"])
    return asdict(compare_copy(dynamodb, _begun(event), seconds))


def _failure(event: Mapping[str, Any]) -> str | None:
    """The error a Catch put under ``error`` ({"Error", "Cause"}), as one line."""
    error = event.get("error")
    if not error:
        return None
    name, cause = str(error.get("Error", "error")), str(error.get("Cause", "")).strip()
    return f"{name}: {cause[:300]}" if cause else name


def cleanup(dynamodb: Any, event: Mapping[str, Any]) -> dict[str, Any]:
    """Delete this run's scratch table, whatever happened; the table's RestoreTest.

    A copy still being created cannot be deleted: ``ScratchTableBusy`` makes the state
    machine retry later. A copy already gone (or never made) is fine.
    """
    table = str(event["table"])
    scratch = scratch_name(table, datetime.fromisoformat(str(event["at"])))
    try:
        dynamodb.delete_table(TableName=scratch)
    except ClientError as err:
        code = error_code(err)
        if code in BUSY_CODES:
            raise ScratchTableBusy(f"{scratch} is still being created") from err
        if code not in NOT_FOUND:
            raise
    result = event.get("result")
    if result:
        return dict(result)
    failure = _failure(event) or "the restore test stopped without a result"
    started = event.get("started")  # 0 when the start itself failed
    seconds = time.time() - float(started) if started else 0.0
    return asdict(RestoreTest(table, None, None, seconds, error=failure))


def run_step(event: Mapping[str, Any], dynamodb: Any) -> dict[str, Any]:
    """Dispatch one state machine step (the ops function's ``restore_step`` events)."""
    step = event.get(STEP_KEY)
    if step == "start":
        return start(dynamodb, str(event["table"]), datetime.fromisoformat(str(event["at"])))
    if step == "verify":
        return verify(dynamodb, event)
    if step == "cleanup":
        return cleanup(dynamodb, event)
    raise ConfigError(f"unknown restore step {step!r}; expected start, verify or cleanup")


def results_from_event(items: Any) -> list[RestoreTest]:
    """The state machine's per-table results (``cleanup``'s outputs) as RestoreTests."""
    if not isinstance(items, list):
        raise ConfigError(f"{RESULTS_KEY} must be a list of restore results")
    return [
        RestoreTest(
            table=str(item["table"]),
            source_items=item.get("source_items"),
            restored_items=item.get("restored_items"),
            seconds=float(item.get("seconds") or 0.0),
            error=item.get("error") or None,
            basis=str(item.get("basis") or ""),
        )
        for item in items
    ]
