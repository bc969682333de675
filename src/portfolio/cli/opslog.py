"""`portfolio incident|maintenance|worklog`: what people record in the operations log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from portfolio.cli.common import DbOption, cli_store, console, parse_time
from portfolio.errors import InputError, NotFoundError
from portfolio.period import Period
from portfolio.store.ids import new_id
from portfolio.store.records import Incident, MaintenanceWindow, WorkItem

incident_app = typer.Typer(
    add_completion=False, help="Record and annotate incidents (インシデント).", no_args_is_help=True
)
maintenance_app = typer.Typer(
    add_completion=False, help="Record planned maintenance windows.", no_args_is_help=True
)
worklog_app = typer.Typer(
    add_completion=False, help="Record work done (実施した作業).", no_args_is_help=True
)

SEVERITIES = ("minor", "major", "critical", "security")
WORK_KINDS = ("improvement", "docs", "maintenance")
_AUTO_ID = re.compile(r"^auto-(latency|errors|outage)-(\d{12})$")


def _month_range(month: str | None, tz: str) -> Period:
    return Period.parse(month, tz) if month else Period.previous_to(datetime.now(UTC), tz).next()


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


@incident_app.command("add")
def incident_add(
    start: Annotated[
        str, typer.Option(help="When it began (ISO 8601; zone defaults to the report's).")
    ],
    summary: Annotated[str, typer.Option(help="One line: what happened.")],
    end: Annotated[str | None, typer.Option(help="When it ended.")] = None,
    severity: Annotated[str, typer.Option(help=f"One of {', '.join(SEVERITIES)}.")] = "minor",
    impact: Annotated[str, typer.Option(help="Who or what was affected.")] = "",
    cause: Annotated[str, typer.Option(help="Root cause.")] = "",
    response: Annotated[str, typer.Option(help="What was done.")] = "",
    prevention: Annotated[str, typer.Option(help="How it will not happen again.")] = "",
    detected_at: Annotated[str | None, typer.Option(help="When it was noticed.")] = None,
    responded_at: Annotated[
        str | None, typer.Option(help="When someone started responding.")
    ] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """Record an incident; the report merges it with what it detects in the same time."""
    _check(severity, SEVERITIES, "--severity")
    settings, store = cli_store(db)
    tz = settings.report.timezone
    started = parse_time(start, tz)
    ended = parse_time(end, tz) if end else None
    if ended is not None and ended < started:
        raise InputError("--end is before --start")
    incident = Incident(
        id=new_id(), started_at=started.astimezone(UTC),
        ended_at=ended.astimezone(UTC) if ended else None, summary=summary, severity=severity,
        impact=impact, cause=cause, response=response, prevention=prevention,
        detected_at=parse_time(detected_at, tz).astimezone(UTC) if detected_at else None,
        responded_at=parse_time(responded_at, tz).astimezone(UTC) if responded_at else None,
    )  # fmt: skip
    store.add_incident(incident)
    console.print(f"recorded incident {incident.id}", highlight=False)


@incident_app.command("annotate")
def incident_annotate(
    incident_id: Annotated[str, typer.Argument(help="An incident id, or a detected one (auto-…).")],
    summary: Annotated[str | None, typer.Option()] = None,
    end: Annotated[str | None, typer.Option()] = None,
    severity: Annotated[str | None, typer.Option()] = None,
    impact: Annotated[str | None, typer.Option()] = None,
    cause: Annotated[str | None, typer.Option()] = None,
    response: Annotated[str | None, typer.Option()] = None,
    prevention: Annotated[str | None, typer.Option()] = None,
    responded_at: Annotated[str | None, typer.Option()] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """Add notes (cause, response, prevention, ...) to an incident.

    For an incident the report detected (id ``auto-KIND-YYYYMMDDHHMM``, UTC), this
    records a new incident at that time, which the report then merges with it.
    """
    if severity is not None:
        _check(severity, SEVERITIES, "--severity")
    settings, store = cli_store(db)
    tz = settings.report.timezone
    auto = _AUTO_ID.match(incident_id)
    if auto:
        began = datetime.strptime(auto.group(2), "%Y%m%d%H%M").replace(tzinfo=UTC)
        current = Incident(id=new_id(), started_at=began, ended_at=None,
                           summary=f"{auto.group(1)} (detected)", detected_at=began)  # fmt: skip
        store.add_incident(current)
    else:
        try:
            current = store.get_incident(incident_id)
        except NotFoundError as err:
            raise InputError(f"no incident {incident_id}; see `portfolio incident list`") from err
    changes: dict[str, object] = {
        k: v
        for k, v in {
            "summary": summary, "severity": severity, "impact": impact, "cause": cause,
            "response": response, "prevention": prevention,
        }.items()
        if v is not None
    }  # fmt: skip
    if end:
        changes["ended_at"] = parse_time(end, tz).astimezone(UTC)
    if responded_at:
        changes["responded_at"] = parse_time(responded_at, tz).astimezone(UTC)
    if not changes:
        raise InputError("nothing to annotate: give at least one option, e.g. --cause")
    from dataclasses import replace

    updated = replace(current, **changes)  # type: ignore[arg-type]
    store.update_incident(updated)
    console.print(f"annotated incident {updated.id}", highlight=False)


@incident_app.command("list")
def incident_list(
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month).")] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """List recorded incidents of a month (detected ones appear in the report)."""
    settings, store = cli_store(db)
    period = _month_range(month, settings.report.timezone)
    table = Table(title=f"incidents {period.label}")
    for column in ("id", "started", "minutes", "severity", "summary", "cause"):
        table.add_column(column)
    for i in store.list_incidents(period.start, period.end):
        minutes = (
            ""
            if i.ended_at is None
            else f"{(i.ended_at - i.started_at) / timedelta(minutes=1):.0f}"
        )
        table.add_row(i.id, i.started_at.astimezone(period.zone).strftime("%Y-%m-%d %H:%M"),
                      minutes, i.severity, i.summary, i.cause or "—")  # fmt: skip
    console.print(table)


@maintenance_app.command("add")
def maintenance_add(
    start: Annotated[str, typer.Option(help="Start (ISO 8601).")],
    end: Annotated[str, typer.Option(help="End (ISO 8601).")],
    description: Annotated[str, typer.Option(help="What the maintenance is for.")],
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """Record a planned maintenance window: its downtime counts as planned, not unplanned."""
    settings, store = cli_store(db)
    tz = settings.report.timezone
    opens, closes = parse_time(start, tz), parse_time(end, tz)
    if closes <= opens:
        raise InputError("--end must be after --start")
    window = MaintenanceWindow(id=new_id(), start=opens.astimezone(UTC),
                               end=closes.astimezone(UTC), description=description)  # fmt: skip
    store.add_maintenance(window)
    console.print(f"recorded maintenance window {window.id}", highlight=False)


@maintenance_app.command("list")
def maintenance_list(
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month).")] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """List maintenance windows of a month."""
    settings, store = cli_store(db)
    period = _month_range(month, settings.report.timezone)
    table = Table(title=f"maintenance {period.label}")
    for column in ("id", "start", "end", "description"):
        table.add_column(column)
    for w in store.list_maintenance(period.start, period.end):
        opens = w.start.astimezone(period.zone).strftime("%Y-%m-%d %H:%M")
        closes = w.end.astimezone(period.zone).strftime("%Y-%m-%d %H:%M")
        table.add_row(w.id, opens, closes, w.description)
    console.print(table)


@worklog_app.command("add")
def worklog_add(
    summary: Annotated[str, typer.Option(help="What was done.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(WORK_KINDS)}.")] = "improvement",
    at: Annotated[str | None, typer.Option(help="When (ISO 8601; default now).")] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """Record a work item; docs items count toward the documentation KPI."""
    _check(kind, WORK_KINDS, "--kind")
    settings, store = cli_store(db)
    when = parse_time(at, settings.report.timezone) if at else datetime.now(UTC)
    item = WorkItem(id=new_id(), at=when.astimezone(UTC), kind=kind, summary=summary)
    store.add_work_item(item)
    console.print(f"recorded work item {item.id}", highlight=False)


@worklog_app.command("list")
def worklog_list(
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month).")] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """List work items of a month."""
    settings, store = cli_store(db)
    period = _month_range(month, settings.report.timezone)
    table = Table(title=f"work log {period.label}")
    for column in ("id", "at", "kind", "summary"):
        table.add_column(column)
    for w in store.list_work_items(period.start, period.end):
        table.add_row(w.id, w.at.astimezone(period.zone).strftime("%Y-%m-%d %H:%M"), w.kind,
                      w.summary)  # fmt: skip
    console.print(table)
