"""`portfolio incident|maintenance|worklog`: what people record in the operations log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from portfolio.cli.common import (
    CreateOption,
    DbOption,
    cli_store,
    console,
    parse_time,
    required_text,
    show_time,
)
from portfolio.cli.tables import Column, fit_table
from portfolio.errors import InputError, NotFoundError
from portfolio.period import Period
from portfolio.store.ids import new_id, parse_detected_incident_id
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

Severity = Literal["minor", "major", "critical", "security"]
WorkKind = Literal["improvement", "docs", "maintenance"]

MonthOption = typer.Option(help="YYYY-MM in the report's time zone (default: this month).")
JsonOption = typer.Option("--json", help="Print JSON: every field, times in ISO 8601 (UTC).")


def _month_range(month: str | None, tz: str) -> Period:
    return Period.parse(month, tz) if month else Period.previous_to(datetime.now(UTC), tz).next()


def _as_json(records: list[Incident] | list[MaintenanceWindow] | list[WorkItem]) -> str:
    """Records as a JSON array, every field as stored (times keep their offset)."""

    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    rows = [{k: plain(v) for k, v in asdict(record).items()} for record in records]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def _print_table(title: str, columns: tuple[Column, ...], rows: Sequence[Sequence[str]]) -> None:
    console.print(fit_table(title, columns, rows, console.width))


@incident_app.command("add")
def incident_add(
    start: Annotated[
        str, typer.Option(help="When it began (ISO 8601; zone defaults to the report's).")
    ],
    summary: Annotated[str, typer.Option(help="One line: what happened.")],
    end: Annotated[str | None, typer.Option(help="When it ended.")] = None,
    severity: Annotated[Severity, typer.Option(help="How bad.")] = "minor",
    impact: Annotated[str, typer.Option(help="Who or what was affected.")] = "",
    cause: Annotated[str, typer.Option(help="Root cause.")] = "",
    response: Annotated[str, typer.Option(help="What was done.")] = "",
    prevention: Annotated[str, typer.Option(help="How it will not happen again.")] = "",
    detected_at: Annotated[str | None, typer.Option(help="When it was noticed.")] = None,
    responded_at: Annotated[
        str | None, typer.Option(help="When someone started responding.")
    ] = None,
    db: Annotated[Path | None, DbOption] = None,
    create: Annotated[bool, CreateOption] = False,
) -> None:
    """Record an incident; the report merges it with what it detects in the same time."""
    required_text(summary, "--summary")
    with cli_store(db, create=create) as (settings, store):
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
    summary: Annotated[str | None, typer.Option(help="One line: what happened.")] = None,
    end: Annotated[str | None, typer.Option(help="When it ended (ISO 8601).")] = None,
    severity: Annotated[Severity | None, typer.Option(help="How bad.")] = None,
    impact: Annotated[str | None, typer.Option(help="Who or what was affected.")] = None,
    cause: Annotated[str | None, typer.Option(help="Root cause.")] = None,
    response: Annotated[str | None, typer.Option(help="What was done.")] = None,
    prevention: Annotated[str | None, typer.Option(help="How it will not happen again.")] = None,
    responded_at: Annotated[
        str | None, typer.Option(help="When someone started responding (ISO 8601).")
    ] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """Add notes (cause, response, prevention, ...) to an incident.

    For an incident the report detected (id ``auto-KIND-YYYYMMDDHHMM``, UTC), this
    records a new incident at that time, which the report then merges with it.
    """
    changes: dict[str, object] = {
        k: v
        for k, v in {
            "summary": summary, "severity": severity, "impact": impact, "cause": cause,
            "response": response, "prevention": prevention,
        }.items()
        if v is not None
    }  # fmt: skip
    if summary is not None:
        required_text(summary, "--summary")
    if not (changes or end or responded_at):
        raise InputError("nothing to annotate: give at least one option, e.g. --cause")
    with cli_store(db) as (settings, store):
        tz = settings.report.timezone
        if end:
            changes["ended_at"] = parse_time(end, tz).astimezone(UTC)
        if responded_at:
            changes["responded_at"] = parse_time(responded_at, tz).astimezone(UTC)
        detected = parse_detected_incident_id(incident_id)
        if detected:
            kind, began = detected
            current = Incident(id=new_id(), started_at=began, ended_at=None,
                               summary=f"{kind} (detected)", detected_at=began)  # fmt: skip
            store.add_incident(current)
        else:
            try:
                current = store.get_incident(incident_id)
            except NotFoundError as err:
                raise InputError(
                    f"no incident {incident_id}; see `portfolio incident list`"
                ) from err
        updated = replace(current, **changes)  # type: ignore[arg-type]
        store.update_incident(updated)
    console.print(f"annotated incident {updated.id}", highlight=False)


@incident_app.command("list")
def incident_list(
    month: Annotated[str | None, MonthOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """List recorded incidents of a month (detected ones appear in the report)."""
    with cli_store(db) as (settings, store):
        period = _month_range(month, settings.report.timezone)
        incidents = store.list_incidents(period.start, period.end)
    if as_json:
        typer.echo(_as_json(incidents))
        return
    rows = [
        (
            i.id,
            f"{show_time(i.started_at, period.zone)}\n{_length(i)}{i.severity}",
            i.summary + (f"\ncause: {i.cause}" if i.cause else ""),
        )
        for i in incidents
    ]
    columns = (Column("id", "key"), Column("started"), Column("summary", "text"))
    _print_table(f"incidents {period.label}", columns, rows)


def _length(incident: Incident) -> str:
    if incident.ended_at is None:
        return "ongoing, "
    return f"{(incident.ended_at - incident.started_at) / timedelta(minutes=1):.0f} min, "


@maintenance_app.command("add")
def maintenance_add(
    start: Annotated[str, typer.Option(help="Start (ISO 8601; zone defaults to the report's).")],
    end: Annotated[str, typer.Option(help="End (ISO 8601).")],
    description: Annotated[str, typer.Option(help="What the maintenance is for.")],
    db: Annotated[Path | None, DbOption] = None,
    create: Annotated[bool, CreateOption] = False,
) -> None:
    """Record a planned maintenance window: its downtime counts as planned, not unplanned."""
    required_text(description, "--description")
    with cli_store(db, create=create) as (settings, store):
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
    month: Annotated[str | None, MonthOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """List maintenance windows of a month."""
    with cli_store(db) as (settings, store):
        period = _month_range(month, settings.report.timezone)
        windows = store.list_maintenance(period.start, period.end)
    if as_json:
        typer.echo(_as_json(windows))
        return
    rows = [
        (
            w.id,
            f"{show_time(w.start, period.zone)} –\n{show_time(w.end, period.zone)}",
            w.description,
        )
        for w in windows
    ]
    columns = (Column("id", "key"), Column("start – end"), Column("description", "text"))
    _print_table(f"maintenance {period.label}", columns, rows)


@worklog_app.command("add")
def worklog_add(
    summary: Annotated[str, typer.Option(help="What was done.")],
    kind: Annotated[WorkKind, typer.Option(help="What sort of work.")] = "improvement",
    at: Annotated[
        str | None,
        typer.Option(help="When (ISO 8601; zone defaults to the report's; default now)."),
    ] = None,
    db: Annotated[Path | None, DbOption] = None,
    create: Annotated[bool, CreateOption] = False,
) -> None:
    """Record a work item; docs items count toward the documentation KPI."""
    required_text(summary, "--summary")
    with cli_store(db, create=create) as (settings, store):
        when = parse_time(at, settings.report.timezone) if at else datetime.now(UTC)
        item = WorkItem(id=new_id(), at=when.astimezone(UTC), kind=kind, summary=summary)
        store.add_work_item(item)
    console.print(f"recorded work item {item.id}", highlight=False)


@worklog_app.command("list")
def worklog_list(
    month: Annotated[str | None, MonthOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """List work items of a month."""
    with cli_store(db) as (settings, store):
        period = _month_range(month, settings.report.timezone)
        items = store.list_work_items(period.start, period.end)
    if as_json:
        typer.echo(_as_json(items))
        return
    rows = [(w.id, f"{show_time(w.at, period.zone)}\n{w.kind}", w.summary) for w in items]
    columns = (Column("id", "key"), Column("at, kind"), Column("summary", "text"))
    _print_table(f"work log {period.label}", columns, rows)
