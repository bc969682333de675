"""One month's figures read back from its report.json, whatever schema wrote it.

The archive (report.archive) and 前月からの変化 (report.build.changes) compare months
that different versions may have written, so they read the JSON, not the pydantic model:
a field a newer version added is simply absent from an older file ("missing" names it,
and the reader says so), and a field this version does not know is ignored. A file
that is not a report at all (no ``period.month``) is refused with SourceError.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portfolio.errors import SourceError

__all__ = [
    "HEADLINE",
    "Archive",
    "ArchiveMonth",
    "KpiFigure",
    "MonthFigures",
    "read_month",
    "read_month_file",
]

HEADLINE: dict[str, tuple[str, str]] = {
    "requests": ("traffic.total_requests", "count"),
    "latency_p95_ms": ("latency_ms.p95", "ms"),
    "latency_p99_ms": ("latency_ms.p99", "ms"),
    "incidents": ("incidents", "count"),
    "cost_per_request_usd": ("costs.per_request_usd", "usd_per_request"),
}
"""The headline figures beside the KPIs: name -> (path in report.json, how it is written).
``incidents`` counts the list's rows."""

_ABSENT = object()


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path, or _ABSENT where any step is missing."""
    for step in path.split("."):
        if not isinstance(data, dict) or step not in data:
            return _ABSENT
        data = data[step]
    return data


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class KpiFigure:
    id: str
    kind: str
    target: float | None
    actual: float | None
    status: str
    """met / warn / missed / no_data, as report.model.Status writes it."""


@dataclass
class MonthFigures:
    """What the series shows of a month; None where its file does not hold that part."""

    month: str
    schema_version: str
    kpis: dict[str, KpiFigure] | None = None
    headline: dict[str, float | None] = field(default_factory=dict)
    daily: list[tuple[str, int]] | None = None
    costs: dict[str, float] | None = None
    incidents: list[tuple[str, str]] | None = None
    """(kind, summary) per incident row."""
    proposals: list[tuple[str, dict[str, int | float | str]]] | None = None
    simulated: bool = False
    environment: str = ""
    missing: list[str] = field(default_factory=list)
    """Parts absent from the file (dotted paths), in the order they were looked for."""


def read_month(data: Any) -> MonthFigures:
    """The figures of one report.json's content; SourceError if it names no month."""
    month = _at(data, "period.month")
    if not isinstance(month, str):
        raise SourceError("not a report.json: it names no period.month")
    version = _at(data, "schema_version")
    out = MonthFigures(month=month, schema_version=version if isinstance(version, str) else "?")
    out.simulated = _at(data, "document.simulated") is True
    environment = _at(data, "document.environment")
    out.environment = environment if isinstance(environment, str) else ""
    _read_kpis(data, out)
    for name, (path, _kind) in HEADLINE.items():
        value = _at(data, path)
        if value is _ABSENT:
            out.missing.append(path)
            out.headline[name] = None
        else:
            out.headline[name] = float(len(value)) if isinstance(value, list) else _number(value)
    _read_lists(data, out)
    return out


def _read_kpis(data: Any, out: MonthFigures) -> None:
    kpis = _at(data, "kpis")
    if not isinstance(kpis, list):
        out.missing.append("kpis")
        return
    out.kpis = {
        str(k["id"]): KpiFigure(
            id=str(k["id"]),
            kind=str(k.get("kind", "")),
            target=_number(k.get("target")),
            actual=_number(k.get("actual")),
            status=str(k.get("status", "no_data")),
        )
        for k in kpis
        if isinstance(k, dict) and "id" in k
    }


def _read_lists(data: Any, out: MonthFigures) -> None:
    daily = _at(data, "traffic.daily")
    if isinstance(daily, list):
        out.daily = [(str(d.get("date")), int(d.get("requests") or 0)) for d in daily]
    else:
        out.missing.append("traffic.daily")
    lines = _at(data, "costs.lines")
    if isinstance(lines, list):
        out.costs = {str(x["service"]): float(x.get("usd") or 0.0) for x in lines}
    else:
        out.missing.append("costs.lines")
    incidents = _at(data, "incidents")
    if isinstance(incidents, list):
        out.incidents = [(str(i.get("kind")), str(i.get("summary", ""))) for i in incidents]
    else:
        out.missing.append("incidents")
    proposals = _at(data, "proposals")
    if isinstance(proposals, list):
        out.proposals = [(str(p["id"]), dict(p.get("evidence") or {})) for p in proposals]
    else:
        out.missing.append("proposals")


def read_month_file(path: Path) -> MonthFigures:
    """A month's report.json from disk; SourceError if it is not JSON or not a report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SourceError(f"{path}: cannot read a report: {err}") from err
    return read_month(data)


@dataclass(frozen=True)
class ArchiveMonth:
    figures: MonthFigures
    files: dict[str, str]
    """Link text key -> path relative to the index: ``ja.html``, ..., ``json``."""


@dataclass
class Archive:
    months: list[ArchiveMonth]
    """Oldest first."""
    environment: str = ""
    unreadable: list[str] = field(default_factory=list)
