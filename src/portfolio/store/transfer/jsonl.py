"""The export file: JSON Lines, one record a line, each with its kind and the schema version.

    {"v": 1, "kind": "header", "data": {"created_at": ..., "source": ..., "start": ..., "end": ...}}
    {"v": 1, "kind": "rollup_minute", "data": {"minute": 1754006400, "endpoint": ..., ...}}
    ...
    {"v": 1, "kind": "end", "data": {"counts": {"rollup_minute": 1234, ...}}}

``data`` holds the record's fields by name (store/records.py), times as ISO 8601 in
UTC with microseconds, telemetry minutes as epoch seconds, sketches as base64 of
their binary form; docs/store-records.md lists every kind. The header comes first and
the end record last, with the count of each kind: a file cut short lacks its end
record and is refused, whatever line it was cut at.

Reading checks every line before anything is written (``read_header`` and
``validate``): a truncated file, an unknown kind, a schema newer than this program's
or a field of the wrong type stops with one line naming the line number.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import types
import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import IO, Any

import orjson

from portfolio.errors import InputError
from portfolio.sketch import LatencySketch
from portfolio.store.kinds import Entry, Kind, Record, TimeRange
from portfolio.store.records import (
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    LogCount,
    MaintenanceWindow,
    ProbeResult,
    ResourceSample,
    Role,
    Rollup,
    StoreCallStat,
    User,
    WorkItem,
)

SCHEMA_VERSION = 1
"""The version of the record layout this program writes and the newest it reads."""
HEADER = "header"
END = "end"

RECORD_TYPES: dict[Kind, type[Any]] = {
    Kind.USER: User,
    Kind.ROLLUP_MINUTE: Rollup,
    Kind.ROLLUP_HOUR: Rollup,
    Kind.RESOURCE_SAMPLE: ResourceSample,
    Kind.PROBE_RESULT: ProbeResult,
    Kind.LOG_COUNT: LogCount,
    Kind.STORE_STAT: StoreCallStat,
    Kind.CHECK_RUN: CheckRun,
    Kind.INCIDENT: Incident,
    Kind.MAINTENANCE: MaintenanceWindow,
    Kind.WORK_ITEM: WorkItem,
}


class BadExportError(InputError):
    """An export file this program cannot import; the message names the line."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}: line {line}: {problem}; nothing was imported")
        self.line = line


# -- writing ----------------------------------------------------------------------


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, LatencySketch):
        return base64.b64encode(value.to_bytes()).decode()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Finding):
        return {"check_id": value.check_id, "status": value.status.value, "detail": value.detail}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def record_line(kind: Kind, record: Record) -> bytes:
    """One record as its line of the export file, newline included."""
    data = {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}
    return orjson.dumps({"v": SCHEMA_VERSION, "kind": kind.value, "data": data}) + b"\n"


def header_line(source: str, span: TimeRange, created_at: datetime) -> bytes:
    data = {
        "created_at": created_at.astimezone(UTC).isoformat(timespec="seconds"),
        "source": source,
        "start": span.start,
        "end": span.end,
    }
    return orjson.dumps({"v": SCHEMA_VERSION, "kind": HEADER, "data": data}) + b"\n"


def end_line(counts: dict[Kind, int]) -> bytes:
    data = {"counts": {k.value: n for k, n in counts.items()}}
    return orjson.dumps({"v": SCHEMA_VERSION, "kind": END, "data": data}) + b"\n"


# -- reading ----------------------------------------------------------------------


_HINTS = {cls: typing.get_type_hints(cls) for cls in set(RECORD_TYPES.values())}


def _value(hint: Any, value: object, name: str) -> object:
    """``value`` of the JSON as the field's type; ValueError naming the field otherwise."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in typing.get_args(hint):
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(inner, value, name)
    if origin is tuple:
        if not isinstance(value, list):
            raise ValueError(f"{name} must be a list")
        (inner, _) = typing.get_args(hint)
        return tuple(_value(inner, v, name) for v in value)
    if hint is Finding:
        if not isinstance(value, dict) or set(value) != {"check_id", "status", "detail"}:
            raise ValueError(f"{name} must hold check_id, status and detail")
        return Finding(str(value["check_id"]), FindingStatus(value["status"]), str(value["detail"]))
    if hint is datetime:
        if not isinstance(value, str):
            raise ValueError(f"{name} must be an ISO 8601 time")
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"{name} must carry a time zone")
        return parsed.astimezone(UTC)
    if hint is LatencySketch:
        if not isinstance(value, str):
            raise ValueError(f"{name} must be base64 text")
        return LatencySketch.from_bytes(base64.b64decode(value, validate=True))
    if hint is Role:
        return Role(str(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{name} must be an integer")
        return value
    if hint is float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"{name} must be a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        return value
    raise ValueError(f"{name}: no reader for {hint}")


def parse_record(kind: Kind, data: object) -> Record:
    """The record of one line's ``data``; ValueError saying what is wrong."""
    cls = RECORD_TYPES[kind]
    if not isinstance(data, dict):
        raise ValueError("data must be an object")
    fields = {f.name for f in dataclasses.fields(cls)}
    required = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    missing, unknown = required - set(data), set(data) - fields
    if missing or unknown:
        what = [f"missing {', '.join(sorted(missing))}"] if missing else []
        what += [f"unknown {', '.join(sorted(unknown))}"] if unknown else []
        raise ValueError(f"a {kind.value} record with {'; '.join(what)}")
    hints = _HINTS[cls]
    record: Record = cls(**{name: _value(hints[name], v, name) for name, v in data.items()})
    return record


def _parse_line(path: Path, number: int, raw: bytes) -> tuple[str, object]:
    if not raw.endswith(b"\n"):
        raise BadExportError(path, number, "the line is cut short (the file is truncated)")
    try:
        line = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise BadExportError(path, number, f"not a JSON record ({err.msg})") from err
    if not isinstance(line, dict) or not {"v", "kind", "data"} <= set(line):
        raise BadExportError(path, number, "not a record of an export (v, kind, data)")
    version = line["v"]
    if not isinstance(version, int) or version < 1:
        raise BadExportError(path, number, f"schema version {version!r} is not one")
    if version > SCHEMA_VERSION:
        raise BadExportError(
            path,
            number,
            f"written with schema version {version}, newer than this program's"
            f" ({SCHEMA_VERSION}): import it with a newer portfolio",
        )
    return str(line["kind"]), line["data"]


def read_header(path: Path, stream: IO[bytes]) -> tuple[str, TimeRange]:
    """The source and range the header on the first line names."""
    kind, data = _parse_line(path, 1, stream.readline() or b"\n")
    if kind != HEADER or not isinstance(data, dict):
        raise BadExportError(path, 1, "the first line is not the export's header")
    start, end = data.get("start"), data.get("end")
    if not all(v is None or isinstance(v, int) for v in (start, end)):
        raise BadExportError(path, 1, "the header's start and end must be epoch seconds")
    return str(data.get("source", "")), TimeRange(start, end)


def _entry(path: Path, number: int, kind: str, data: object) -> Entry:
    try:
        record_kind = Kind(kind)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise BadExportError(
            path, number, f"unknown record kind {kind!r} (known: {known})"
        ) from None
    try:
        return record_kind, parse_record(record_kind, data)
    except (ValueError, TypeError, binascii.Error) as err:
        raise BadExportError(path, number, str(err)) from err


def entries(path: Path, stream: IO[bytes], *, after_line: int = 1) -> Iterator[tuple[int, Entry]]:
    """(line number, entry) of every record after line ``after_line``, up to the end record.

    ``stream`` is just past the header (``read_header``); the file was validated first.
    """
    for number, raw in enumerate(stream, start=2):
        if number <= after_line:
            continue
        kind, data = _parse_line(path, number, raw)
        if kind == END:
            return
        yield number, _entry(path, number, kind, data)


def validate(path: Path) -> tuple[str, TimeRange, dict[Kind, int]]:
    """Read the whole file as an import would: (source, range, count per kind).

    BadExportError at the first line that is wrong, including a file whose end record
    is missing (truncated) or whose counts are not the records it holds.
    """
    counts: dict[Kind, int] = {}
    end: dict[Kind, int] | None = None
    with path.open("rb") as stream:
        source, span = read_header(path, stream)
        number = 1
        for number, raw in enumerate(stream, start=2):
            if end is not None:
                raise BadExportError(path, number, "a line after the end record")
            kind, data = _parse_line(path, number, raw)
            if kind == END:
                end = _end_counts(path, number, data)
                continue
            record_kind, _ = _entry(path, number, kind, data)
            counts[record_kind] = counts.get(record_kind, 0) + 1
    if end is None:
        raise BadExportError(path, number, "the file ends before its end record (it is truncated)")
    if end != counts:
        raise BadExportError(
            path, number, f"the end record counts {_show(end)} but the file holds {_show(counts)}"
        )
    return source, span, counts


def _end_counts(path: Path, number: int, data: object) -> dict[Kind, int]:
    if not isinstance(data, dict) or not isinstance(data.get("counts"), dict):
        raise BadExportError(path, number, "the end record holds no counts")
    try:
        return {Kind(k): int(n) for k, n in data["counts"].items()}
    except (ValueError, TypeError) as err:
        raise BadExportError(path, number, f"the end record's counts: {err}") from err


def _show(counts: dict[Kind, int]) -> str:
    return ", ".join(f"{n} {k.value}" for k, n in sorted(counts.items())) or "nothing"
