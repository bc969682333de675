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


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int | float) -> dict[str, str]:
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"numbers must be finite to be stored, got {value}")
    return {"N": str(value) if isinstance(value, int) else repr(value)}


def _str(item: Mapping[str, Any], name: str) -> str:
    value: str = item[name]["S"]
    return value


def _int(item: Mapping[str, Any], name: str) -> int:
    return int(item[name]["N"])


def _float(item: Mapping[str, Any], name: str) -> float:
    return float(item[name]["N"])


def _bytes(item: Mapping[str, Any], name: str) -> bytes:
    return bytes(item[name]["B"])


def _us(value: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp would round)."""
    if value.tzinfo is None:
        raise InputError("times must carry a time zone")
    return (value - _EPOCH) // timedelta(microseconds=1)


def _time(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _opt_time(item: Mapping[str, Any], name: str) -> datetime | None:
    return _time(_int(item, name)) if name in item else None


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


def _check_size(item: Mapping[str, Any], what: str) -> None:
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ItemTooLargeError(
            f"{what} would take {size:,} bytes; a DynamoDB item holds at most"
            f" {MAX_ITEM_BYTES:,} bytes (400 KB): shorten its text fields"
        )


# -- records <-> items ------------------------------------------------------------


def _user_item(user: User) -> Item:
    return {
        **keys.user_index_key(user.id),
        "id": _s(user.id),
        "name": _s(user.name),
        "email": _s(user.email),
        "role": _s(user.role.value),
        "title": _s(user.title),
        "bio": _s(user.bio),
        "links": {"L": [_s(link) for link in user.links]},
        "created_at": _n(_us(user.created_at)),
        "updated_at": _n(_us(user.updated_at)),
        "version": _n(user.version),
    }


def _user(item: Mapping[str, Any]) -> User:
    return User(
        id=_str(item, "id"),
        name=_str(item, "name"),
        email=_str(item, "email"),
        role=Role(_str(item, "role")),
        title=_str(item, "title"),
        bio=_str(item, "bio"),
        links=tuple(v["S"] for v in item["links"]["L"]),
        created_at=_time(_int(item, "created_at")),
        updated_at=_time(_int(item, "updated_at")),
        version=_int(item, "version"),
    )


def _user_value(name: str, value: object) -> dict[str, Any]:
    """One validated field of UserChanges as an attribute value."""
    if name == "links":
        if not isinstance(value, list | tuple):
            raise InputError("links must be a list of strings")
        return {"L": [_s(str(link)) for link in value]}
    if name == "role":
        return _s(Role(str(value)).value)
    return _s(str(value))


def _apply(user: User, changes: UserChanges, now: datetime) -> User:
    """The user as it is after ``changes``: what a conditional write of it will store."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        encoded = _user_value(name, value)
        if name == "links":
            values[name] = tuple(v["S"] for v in encoded["L"])
        elif name == "role":
            values[name] = Role(encoded["S"])
        else:
            values[name] = encoded["S"]
    return replace(user, **values, updated_at=now, version=user.version + 1)


def _series_key(series: keys.Series, at_s: int, time_value: int, rest: Sequence[object]) -> Item:
    """pk = the series bucket; sk = zero-padded time then the rest of the key as JSON.

    JSON keeps the rest unambiguous whatever characters an endpoint or task holds.
    """
    sort_key = f"{keys.time_sort_key(time_value)}#{orjson.dumps(list(rest)).decode()}"
    return {"pk": _s(series.partition(at_s)), "sk": _s(sort_key)}


def _rollup_attrs(r: Rollup) -> Item:
    return {
        "minute": _n(r.minute),
        "endpoint": _s(r.endpoint),
        "method": _s(r.method),
        "status": _n(r.status),
        "task": _s(r.task),
        "count": _n(r.count),
        "bytes_in": _n(r.bytes_in),
        "bytes_out": _n(r.bytes_out),
        "duration_sum_ms": _n(float(r.sketch.sum)),
        "sketch": {"B": r.sketch.to_bytes()},
    }


def _rollup(item: Mapping[str, Any], sketch: LatencySketch | None = None) -> Rollup:
    return Rollup(
        minute=_int(item, "minute"),
        endpoint=_str(item, "endpoint"),
        method=_str(item, "method"),
        status=_int(item, "status"),
        task=_str(item, "task"),
        count=_int(item, "count"),
        bytes_in=_int(item, "bytes_in"),
        bytes_out=_int(item, "bytes_out"),
        sketch=sketch if sketch is not None else LatencySketch.from_bytes(_bytes(item, "sketch")),
    )


def _rollups(items: Sequence[Mapping[str, Any]]) -> list[Rollup]:
    """Many rollup items, their sketches decoded in bulk (a month's report reads ~28k)."""
    sketches = LatencySketch.many_from_bytes([_bytes(i, "sketch") for i in items])
    return [_rollup(i, s) for i, s in zip(items, sketches, strict=True)]


def _store_stat_attrs(s: StoreCallStat) -> Item:
    return {
        "minute": _n(s.minute),
        "task": _s(s.task),
        "backend": _s(s.backend),
        "operation": _s(s.operation),
        "count": _n(s.count),
        "errors": _n(s.errors),
        "throttles": _n(s.throttles),
        "latency_sum_ms": _n(float(s.latency_sum_ms)),
        "latency_max_ms": _n(float(s.latency_max_ms)),
        "capacity_units": _n(float(s.capacity_units)),
    }


def _store_stat(item: Mapping[str, Any]) -> StoreCallStat:
    return StoreCallStat(
        minute=_int(item, "minute"),
        task=_str(item, "task"),
        backend=_str(item, "backend"),
        operation=_str(item, "operation"),
        count=_int(item, "count"),
        errors=_int(item, "errors"),
        throttles=_int(item, "throttles"),
        latency_sum_ms=_float(item, "latency_sum_ms"),
        latency_max_ms=_float(item, "latency_max_ms"),
        capacity_units=_float(item, "capacity_units"),
    )


def _add_stats(a: StoreCallStat, b: StoreCallStat) -> StoreCallStat:
    return a.plus(b)


def _merged_rollup(a: Rollup, b: Rollup) -> Rollup:
    merged = Rollup(*a.key)
    merged.merge(a)
    merged.merge(b)
    return merged


def _incident_item(i: Incident) -> Item:
    item: Item = {
        "pk": _s(keys.INCIDENTS.partition(0)),
        "sk": _s(i.id),
        "id": _s(i.id),
        "started_at": _n(_us(i.started_at)),
        "summary": _s(i.summary),
        "severity": _s(i.severity),
        "impact": _s(i.impact),
        "cause": _s(i.cause),
        "response": _s(i.response),
        "prevention": _s(i.prevention),
    }
    for name, value in (
        ("ended_at", i.ended_at),
        ("detected_at", i.detected_at),
        ("responded_at", i.responded_at),
    ):
        if value is not None:
            item[name] = _n(_us(value))
    return item


def _incident(item: Mapping[str, Any]) -> Incident:
    return Incident(
        id=_str(item, "id"),
        started_at=_time(_int(item, "started_at")),
        ended_at=_opt_time(item, "ended_at"),
        summary=_str(item, "summary"),
        severity=_str(item, "severity"),
        impact=_str(item, "impact"),
        cause=_str(item, "cause"),
        response=_str(item, "response"),
        prevention=_str(item, "prevention"),
        detected_at=_opt_time(item, "detected_at"),
        responded_at=_opt_time(item, "responded_at"),
    )


def _log_sort_key(us: int, record_id: str) -> str:
    return f"{keys.time_sort_key(us)}#{record_id}"


def _seconds(value: datetime) -> int:
    return math.floor(_us(value) / 1_000_000)


# -- records the live writers and export/import (transfer.py) both encode ----------


def probe_item(r: ProbeResult, record_id: str) -> Item:
    """A probe's item (no expiry yet): sort key = its time then ``record_id``."""
    at_us = _us(r.at)
    item: Item = {
        "pk": _s(keys.PROBE_RESULTS.partition(_seconds(r.at))),
        "sk": _s(_log_sort_key(at_us, record_id)),
        "at": _n(at_us),
        "ok": {"BOOL": r.ok},
        "detail": _s(r.detail),
    }
    if r.latency_ms is not None:
        item["latency_ms"] = _n(float(r.latency_ms))
    if r.status is not None:
        item["status"] = _n(r.status)
    if r.target != PROBE_API:  # items without one are the API's, as before
        item["target"] = _s(r.target)
    return item


def probe_result(item: Mapping[str, Any]) -> ProbeResult:
    return ProbeResult(
        at=_time(_int(item, "at")),
        ok=bool(item["ok"]["BOOL"]),
        latency_ms=_float(item, "latency_ms") if "latency_ms" in item else None,
        status=_int(item, "status") if "status" in item else None,
        detail=_str(item, "detail"),
        target=_str(item, "target") if "target" in item else PROBE_API,
    )


def check_run_item(run: CheckRun) -> Item:
    findings = [
        {"M": {"check_id": _s(f.check_id), "status": _s(f.status.value), "detail": _s(f.detail)}}
        for f in run.findings
    ]
    return {
        "pk": _s(keys.CHECK_RUNS.partition(0)),
        "sk": _s(_log_sort_key(_us(run.started_at), run.id)),
        "id": _s(run.id),
        "kind": _s(run.kind),
        "target": _s(run.target),
        "started_at": _n(_us(run.started_at)),
        "finished_at": _n(_us(run.finished_at)),
        "findings": {"L": findings},
    }


def check_run(item: Mapping[str, Any]) -> CheckRun:
    return CheckRun(
        id=_str(item, "id"),
        kind=_str(item, "kind"),
        target=_str(item, "target"),
        started_at=_time(_int(item, "started_at")),
        finished_at=_time(_int(item, "finished_at")),
        findings=tuple(
            Finding(m["check_id"]["S"], FindingStatus(m["status"]["S"]), m["detail"]["S"])
            for m in (f["M"] for f in item["findings"]["L"])
        ),
    )
