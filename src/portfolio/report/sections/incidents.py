"""インシデント・問題報告: counts by category, then each problem's record."""

from __future__ import annotations

from portfolio.config import ReportSettings
from portfolio.report import numbers
from portfolio.report.document import Chart, Document, Field, Fields, Note, Paragraph, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.incident_text import content
from portfolio.report.model import IncidentRow
from portfolio.report.sections.common import heading


def _incident_title(f: Fmt, i: IncidentRow) -> str:
    if i.summary:
        return f.text(i.summary)
    # An outage's figure is its duration, the same number the detail block shows.
    value = i.duration_minutes if i.kind == "outage" else i.peak_value
    return f.t(f"inc.auto.{i.kind}", value="—" if value is None else numbers.number(value, 0))


def incidents(doc: Document, f: Fmt) -> None:
    r = f.r
    heading(doc, 2, "h.incidents", "incidents")
    heading(doc, 3, "h.inc.status", "inc-status")
    c = r.incident_counts
    doc.add(
        Fields(
            [
                Field(f.t("l.major"), f.t("count", value=c.major)),
                Field(f.t("l.minor"), f.t("count", value=c.minor)),
                Field(f.t("l.security_incidents"), f.t("count", value=c.security)),
            ]
        ),
        Note(f.t("note.severity")),
        Chart("timeline"),
    )
    heading(doc, 3, "h.inc.details", "inc-details")
    if not r.incidents:
        defaults = ReportSettings()
        doc.add(
            Paragraph(
                f.t(
                    "inc.no_incidents",
                    minutes=defaults.incident_min_minutes,
                    outage=defaults.outage_min_minutes,
                )
            )
        )
    for n, i in enumerate(r.incidents, start=1):
        heading(doc, 4, "h.inc.item", f"inc-{n}", n=n, summary=_incident_title(f, i))
        start = i.start.astimezone(f.zone)
        occurred = (
            f.t("occurred_open", start=f.when(i.start))
            if i.end is None
            else f.t(
                "occurred",
                start=f.when(i.start),
                end=i.end.astimezone(f.zone).strftime("%H:%M")
                if i.end.astimezone(f.zone).date() == start.date()
                else f.when(i.end),
                # An ended incident has its duration.
                minutes=numbers.number(i.duration_minutes or 0.0, 0),
            )
        )
        missing = f.t("inc.none_recorded")
        doc.add(
            Fields(
                [
                    Field(f.t("l.occurred"), occurred),
                    Field(f.t("l.content"), content(f, i, _incident_title(f, i))),
                    Field(f.t("l.impact"), f.text(i.impact) or missing),
                    Field(f.t("l.cause"), f.text(i.cause) if i.cause else f.t("inc.cause_missing")),
                    Field(
                        f.t("l.response"),
                        f.text(i.response)
                        or (f.t("inc.auto_response") if not i.recorded else missing),
                    ),
                    Field(f.t("l.prevention"), f.text(i.prevention) or missing),
                ]
            )
        )
    doc.add(Rule())
