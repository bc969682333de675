"""An incident's 内容 (what happened), written from its measured evidence.

The title (問題N) is the record's summary or the rule's name; 内容 says what the data
shows, with the figure, so it never just repeats the title.
"""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.fmt import Fmt
from portfolio.report.model import IncidentRow


def content(f: Fmt, i: IncidentRow, title: str) -> str:
    """The measured account of the incident; the title when nothing was measured."""
    peak = "—" if i.peak_value is None else numbers.number(i.peak_value, 0)
    if i.kind == "latency" and i.window_value is not None:
        return f.t("inc.content.latency", value=numbers.number(i.window_value, 0), peak=peak)
    if i.kind == "errors" and i.window_value is not None:
        return f.t("inc.content.errors", value=numbers.number(i.window_value, 2), peak=peak)
    if i.kind == "outage" and i.duration_minutes is not None:
        return f.t("inc.content.outage", value=numbers.number(i.duration_minutes, 0))
    if i.log_warnings:
        key = "inc.content.logs.minor" if i.severity == "minor" else "inc.content.logs"
        return f.t(key, logs=f.t("l.cw_logs"), count=numbers.count(i.log_warnings))
    return title
