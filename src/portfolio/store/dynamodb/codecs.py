"""Records to DynamoDB items and back, and the sizes DynamoDB gives items.

Times are integer microseconds since the epoch (exact, unlike float seconds);
numbers are written as we format them. Telemetry items expire
``rollup_retention_days`` after their minute (TTL on ``expires_at``; DynamoDB
Local deletes them too, so tests write recent times); users and the operations
log never expire.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from portfolio.errors import (
    InputError,
    ItemTooLargeError,
)
from portfolio.sketch import LatencySketch
from portfolio.store import keys
from portfolio.store.records import (
    PROBE_API,
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    ProbeResult,
    Role,
    Rollup,
    StoreCallStat,
    User,
    UserChanges,
)

Item = dict[str, Any]
"""One DynamoDB item in the wire format: attribute name -> {"S" | "N" | "B" | ...: value}."""

MAX_ITEM_BYTES = 400 * 1024
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- attribute values -------------------------------------------------------------


def s_of(value: str) -> dict[str, str]:
    return {"S": value}


def n_of(value: int | float) -> dict[str, str]:
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"numbers must be finite to be stored, got {value}")
    return {"N": str(value) if isinstance(value, int) else repr(value)}


def str_of(item: Mapping[str, Any], name: str) -> str:
    value: str = item[name]["S"]
    return value


def int_of(item: Mapping[str, Any], name: str) -> int:
    return int(item[name]["N"])


def float_of(item: Mapping[str, Any], name: str) -> float:
    return float(item[name]["N"])


def bytes_of(item: Mapping[str, Any], name: str) -> bytes:
    return bytes(item[name]["B"])


def to_us(value: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp would round)."""
    if value.tzinfo is None:
        raise InputError("times must carry a time zone")
    return (value - _EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def opt_time_of(item: Mapping[str, Any], name: str) -> datetime | None:
    return from_us(int_of(item, name)) if name in item else None


def _attribute_size(value: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for one value (its documented rules, numbers rounded up)."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _attribute_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _attribute_size(v) for k, v in inner.items())
    if kind == "SS":
        return sum(len(v.encode()) for v in inner)
    raise ValueError(f"unsized attribute type {kind}")


def item_size(item: Mapping[str, Any]) -> int:
    """The size DynamoDB gives an item: attribute names plus values, in bytes."""
    return sum(len(name.encode()) + _attribute_size(value) for name, value in item.items())


def check_size(item: Mapping[str, Any], what: str) -> None:
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ItemTooLargeError(
            f"{what} would take {size:,} bytes; a DynamoDB item holds at most"
            f" {MAX_ITEM_BYTES:,} bytes (400 KB): shorten its text fields"
        )


# -- records <-> items ------------------------------------------------------------


def user_item(user: User) -> Item:
    return {
        **keys.user_index_key(user.id),
        "id": s_of(user.id),
        "name": s_of(user.name),
        "email": s_of(user.email),
        "role": s_of(user.role.value),
        "title": s_of(user.title),
        "bio": s_of(user.bio),
        "links": {"L": [s_of(link) for link in user.links]},
        "created_at": n_of(to_us(user.created_at)),
        "updated_at": n_of(to_us(user.updated_at)),
        "version": n_of(user.version),
    }


def user_of(item: Mapping[str, Any]) -> User:
    return User(
        id=str_of(item, "id"),
        name=str_of(item, "name"),
        email=str_of(item, "email"),
        role=Role(str_of(item, "role")),
        title=str_of(item, "title"),
        bio=str_of(item, "bio"),
        links=tuple(v["S"] for v in item["links"]["L"]),
        created_at=from_us(int_of(item, "created_at")),
        updated_at=from_us(int_of(item, "updated_at")),
        version=int_of(item, "version"),
    )


def user_value(name: str, value: object) -> dict[str, Any]:
    """One validated field of UserChanges as an attribute value."""
    if name == "links":
        if not isinstance(value, list | tuple):
            raise InputError("links must be a list of strings")
        return {"L": [s_of(str(link)) for link in value]}
    if name == "role":
        return s_of(Role(str(value)).value)
    return s_of(str(value))


def apply_changes(user: User, changes: UserChanges, now: datetime) -> User:
    """The user as it is after ``changes``: what a conditional write of it will store."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        encoded = user_value(name, value)
        if name == "links":
            values[name] = tuple(v["S"] for v in encoded["L"])
        elif name == "role":
            values[name] = Role(encoded["S"])
        else:
            values[name] = encoded["S"]
    return replace(user, **values, updated_at=now, version=user.version + 1)


def series_key(series: keys.Series, at_s: int, time_value: int, rest: Sequence[object]) -> Item:
    """pk = the series bucket; sk = zero-padded time then the rest of the key as JSON.

    JSON keeps the rest unambiguous whatever characters an endpoint or task holds.
    """
    sort_key = f"{keys.time_sort_key(time_value)}#{orjson.dumps(list(rest)).decode()}"
    return {"pk": s_of(series.partition(at_s)), "sk": s_of(sort_key)}


def rollup_attrs(r: Rollup) -> Item:
    return {
        "minute": n_of(r.minute),
        "endpoint": s_of(r.endpoint),
        "method": s_of(r.method),
        "status": n_of(r.status),
        "task": s_of(r.task),
        "count": n_of(r.count),
        "bytes_in": n_of(r.bytes_in),
        "bytes_out": n_of(r.bytes_out),
        "duration_sum_ms": n_of(float(r.sketch.sum)),
        "sketch": {"B": r.sketch.to_bytes()},
    }


def rollup_of(item: Mapping[str, Any], sketch: LatencySketch | None = None) -> Rollup:
    return Rollup(
        minute=int_of(item, "minute"),
        endpoint=str_of(item, "endpoint"),
        method=str_of(item, "method"),
        status=int_of(item, "status"),
        task=str_of(item, "task"),
        count=int_of(item, "count"),
        bytes_in=int_of(item, "bytes_in"),
        bytes_out=int_of(item, "bytes_out"),
        sketch=sketch if sketch is not None else LatencySketch.from_bytes(bytes_of(item, "sketch")),
    )


def rollups_of(items: Sequence[Mapping[str, Any]]) -> list[Rollup]:
    """Many rollup items, their sketches decoded in bulk (a month's report reads ~28k)."""
    sketches = LatencySketch.many_from_bytes([bytes_of(i, "sketch") for i in items])
    return [rollup_of(i, s) for i, s in zip(items, sketches, strict=True)]


def store_stat_attrs(s: StoreCallStat) -> Item:
    return {
        "minute": n_of(s.minute),
        "task": s_of(s.task),
        "backend": s_of(s.backend),
        "operation": s_of(s.operation),
        "count": n_of(s.count),
        "errors": n_of(s.errors),
        "throttles": n_of(s.throttles),
        "latency_sum_ms": n_of(float(s.latency_sum_ms)),
        "latency_max_ms": n_of(float(s.latency_max_ms)),
        "capacity_units": n_of(float(s.capacity_units)),
    }


def store_stat_of(item: Mapping[str, Any]) -> StoreCallStat:
    return StoreCallStat(
        minute=int_of(item, "minute"),
        task=str_of(item, "task"),
        backend=str_of(item, "backend"),
        operation=str_of(item, "operation"),
        count=int_of(item, "count"),
        errors=int_of(item, "errors"),
        throttles=int_of(item, "throttles"),
        latency_sum_ms=float_of(item, "latency_sum_ms"),
        latency_max_ms=float_of(item, "latency_max_ms"),
        capacity_units=float_of(item, "capacity_units"),
    )


def add_stats(a: StoreCallStat, b: StoreCallStat) -> StoreCallStat:
    return a.plus(b)


def merged_rollup(a: Rollup, b: Rollup) -> Rollup:
    merged = Rollup(*a.key)
    merged.merge(a)
    merged.merge(b)
    return merged


def incident_item(i: Incident) -> Item:
    item: Item = {
        "pk": s_of(keys.INCIDENTS.partition(0)),
        "sk": s_of(i.id),
        "id": s_of(i.id),
        "started_at": n_of(to_us(i.started_at)),
        "summary": s_of(i.summary),
        "severity": s_of(i.severity),
        "impact": s_of(i.impact),
        "cause": s_of(i.cause),
        "response": s_of(i.response),
        "prevention": s_of(i.prevention),
    }
    for name, value in (
        ("ended_at", i.ended_at),
        ("detected_at", i.detected_at),
        ("responded_at", i.responded_at),
    ):
        if value is not None:
            item[name] = n_of(to_us(value))
    return item


def incident_of(item: Mapping[str, Any]) -> Incident:
    return Incident(
        id=str_of(item, "id"),
        started_at=from_us(int_of(item, "started_at")),
        ended_at=opt_time_of(item, "ended_at"),
        summary=str_of(item, "summary"),
        severity=str_of(item, "severity"),
        impact=str_of(item, "impact"),
        cause=str_of(item, "cause"),
        response=str_of(item, "response"),
        prevention=str_of(item, "prevention"),
        detected_at=opt_time_of(item, "detected_at"),
        responded_at=opt_time_of(item, "responded_at"),
    )


def log_sort_key(us: int, record_id: str) -> str:
    return f"{keys.time_sort_key(us)}#{record_id}"


def to_seconds(value: datetime) -> int:
    return math.floor(to_us(value) / 1_000_000)


# -- records the live writers and export/import (transfer.py) both encode ----------


def probe_item(r: ProbeResult, record_id: str) -> Item:
    """A probe's item (no expiry yet): sort key = its time then ``record_id``."""
    at_us = to_us(r.at)
    item: Item = {
        "pk": s_of(keys.PROBE_RESULTS.partition(to_seconds(r.at))),
        "sk": s_of(log_sort_key(at_us, record_id)),
        "at": n_of(at_us),
        "ok": {"BOOL": r.ok},
        "detail": s_of(r.detail),
    }
    if r.latency_ms is not None:
        item["latency_ms"] = n_of(float(r.latency_ms))
    if r.status is not None:
        item["status"] = n_of(r.status)
    if r.target != PROBE_API:  # items without one are the API's, as before
        item["target"] = s_of(r.target)
    return item


def probe_result(item: Mapping[str, Any]) -> ProbeResult:
    return ProbeResult(
        at=from_us(int_of(item, "at")),
        ok=bool(item["ok"]["BOOL"]),
        latency_ms=float_of(item, "latency_ms") if "latency_ms" in item else None,
        status=int_of(item, "status") if "status" in item else None,
        detail=str_of(item, "detail"),
        target=str_of(item, "target") if "target" in item else PROBE_API,
    )


def check_run_item(run: CheckRun) -> Item:
    findings = [
        {
            "M": {
                "check_id": s_of(f.check_id),
                "status": s_of(f.status.value),
                "detail": s_of(f.detail),
            }
        }
        for f in run.findings
    ]
    return {
        "pk": s_of(keys.CHECK_RUNS.partition(0)),
        "sk": s_of(log_sort_key(to_us(run.started_at), run.id)),
        "id": s_of(run.id),
        "kind": s_of(run.kind),
        "target": s_of(run.target),
        "started_at": n_of(to_us(run.started_at)),
        "finished_at": n_of(to_us(run.finished_at)),
        "findings": {"L": findings},
    }


def check_run(item: Mapping[str, Any]) -> CheckRun:
    return CheckRun(
        id=str_of(item, "id"),
        kind=str_of(item, "kind"),
        target=str_of(item, "target"),
        started_at=from_us(int_of(item, "started_at")),
        finished_at=from_us(int_of(item, "finished_at")),
        findings=tuple(
            Finding(m["check_id"]["S"], FindingStatus(m["status"]["S"]), m["detail"]["S"])
            for m in (f["M"] for f in item["findings"]["L"])
        ),
    )
