"""Last month for 前月からの変化: its report.json beside this month's, else the store's month.

A report.json already written is what the reader saw last month, so it wins; without one
the previous month is built from the source (a full report, which costs about as much as
this month's), and a month with no data at all is "no previous month".
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from portfolio.config import Settings
from portfolio.costs import Architecture, PriceTable
from portfolio.period import Period
from portfolio.report.build.changes import Previous
from portfolio.report.build.compute import compute_report, has_data
from portfolio.report.build.costs import Shape
from portfolio.report.series import read_month, read_month_file
from portfolio.sources.base import ReportSource

REPORT_JSON = "report.json"


def previous_json(period: Period, reports_dir: Path | None) -> Path | None:
    """``reports_dir/<previous YYYY-MM>/report.json`` if it exists."""
    if reports_dir is None:
        return None
    path = reports_dir / period.previous().label / REPORT_JSON
    return path if path.is_file() else None


def load_previous(
    period: Period,
    *,
    reports_dir: Path | None,
    source: ReportSource,
    settings: Settings,
    now: datetime,
    prices: PriceTable,
    design: Architecture,
    shape: Shape | None = None,
) -> Previous:
    """The month before ``period``: from its report.json, else the source, else none."""
    before = period.previous()
    found = previous_json(period, reports_dir)
    if found is not None:
        return Previous(read_month_file(found), "report.json", before.label)
    observations = source.observe(before)
    if not has_data(observations):
        return Previous(None, "none", before.label)
    # The plan file (PORTFOLIO_REPORT__PLAN_PATH) is this month's: it names its month and
    # would refuse last month's. Last month rebuilt has the rule-made parts only.
    without_plan = settings.report.model_copy(update={"plan_path": None})
    built = compute_report(
        observations, settings.model_copy(update={"report": without_plan}),
        previous=source.observe(before.previous(), traffic_only=True),
        now=now, prices=prices, design=design, shape=shape,
    )  # fmt: skip
    return Previous(read_month(built.model_dump(mode="json")), "store", before.label)
