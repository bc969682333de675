"""前月からの変化 beside the summary: no previous month, an older previous file, the cost
threshold, and `portfolio report --notify` writing the delivery message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.config import Settings
from portfolio.costs import Architecture, load_prices
from portfolio.period import Period
from portfolio.report.build import (
    COST_THRESHOLD_PERCENT,
    COST_THRESHOLD_USD,
    Previous,
    build_changes,
    has_data,
    load_previous,
)
from portfolio.report.render.markdown import render_markdown
from portfolio.report.series import MonthFigures, read_month
from portfolio.sources.base import Observations, StaticSiteStats
from tests.report.archive_months import OLD_SCHEMA, month_json
from tests.report.conftest import SimulatedMonth


def _current(simulated: SimulatedMonth) -> MonthFigures:
    return read_month(simulated.report.model_dump(mode="json"))


def test_no_previous_month_says_so_in_both_languages(simulated: SimulatedMonth) -> None:
    changes = build_changes(_current(simulated), Previous(None, "none", "2025-07"))
    report = simulated.report.model_copy(update={"changes": changes})
    assert changes.figures == []
    assert changes.source == "none"
    assert "前月のデータがありません" in render_markdown(report, "ja")
    assert "No previous month" in render_markdown(report, "en")


def test_an_older_previous_file_compares_what_it_holds_and_names_the_rest(
    simulated: SimulatedMonth,
) -> None:
    old = read_month(month_json(simulated.report, OLD_SCHEMA))
    changes = build_changes(_current(simulated), Previous(old, "report.json"))
    assert changes.previous_schema_version == "2.0"
    assert "latency_ms.p95" in changes.missing
    rows = {r.id: r for r in changes.figures}
    assert rows["latency_p95_ms"].previous is None
    assert rows["latency_p95_ms"].change is None
    assert rows["availability"].previous == 99.95  # the file's known figure
    ja = render_markdown(simulated.report.model_copy(update={"changes": changes}), "ja")
    assert "スキーマ 2.0" in ja
    assert "latency_ms.p95" in ja


@pytest.mark.parametrize(
    ("before", "after", "listed"),
    [
        (10.0, 11.5, True),  # +15 %, +$1.50
        (10.0, 10.9, False),  # +9 %: within the share
        (0.5, 0.59, False),  # +18 %, but $0.09
        (0.0, 0.2, True),  # new: no share to compare, $0.20
    ],
)
def test_a_cost_line_is_listed_past_both_thresholds(
    simulated: SimulatedMonth, before: float, after: float, listed: bool
) -> None:
    now, prev = _current(simulated), _current(simulated)
    now.costs, prev.costs = {"X": after}, {"X": before}
    changes = build_changes(now, Previous(prev, "report.json"))
    assert bool(changes.costs) is listed
    assert (changes.cost_threshold_percent, changes.cost_threshold_usd) == (
        COST_THRESHOLD_PERCENT,
        COST_THRESHOLD_USD,
    )


def test_report_notify_writes_the_message_with_the_files(
    simulated: SimulatedMonth, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports" / "2025-08"
    db = str(simulated.store.path)
    args = ["report", "--month", "2025-08", "--db", db, "--format", "json", "--out", str(out)]
    assert run([*args, "--notify", str(tmp_path / "mail.txt")]) == 0
    mail = (tmp_path / "mail.txt").read_text("utf-8")
    assert mail.startswith("Subject: [")
    assert "報告書 2025-08" in mail
    assert "Report 2025-08" in mail
    assert str(out / "report.json") in mail
    written = json.loads((out / "report.json").read_text("utf-8"))
    assert written["changes"]["source"] == "store"  # no July file beside it
    assert "前月からの変化（2025-07" in mail
    assert "Changes since 2025-07" in mail
    assert run([*args, "--notify", "-"]) == 0
    assert "Subject: [" in capsys.readouterr().out


def test_the_unit_cost_change_is_the_cost_sections_figure(simulated: SimulatedMonth) -> None:
    """Changes' リクエスト単価 row and コスト効率性's line give one month-on-month figure."""
    costs = simulated.report.costs
    assert costs.per_request_usd is not None
    assert costs.per_request_previous_usd is not None
    now, before = _current(simulated), _current(simulated)
    before.headline["cost_per_request_usd"] = costs.per_request_previous_usd
    changes = build_changes(now, Previous(before, "store"))
    row = next(r for r in changes.figures if r.id == "cost_per_request_usd")
    assert row.change_percent == costs.per_request_change_percent
    report = simulated.report.model_copy(update={"changes": changes})
    for lang, label in (("ja", "リクエスト単価"), ("en", "er request")):
        text = render_markdown(report, lang)
        figure = f"{costs.per_request_change_percent:+.1f}%"
        lines = [line for line in text.splitlines() if label in line and figure in line]
        assert len(lines) >= 2, (lang, figure)  # the changes table and the efficiency line


def test_minutes_in_the_changes_table_are_written_as_the_kpi_table_writes_them(
    simulated: SimulatedMonth,
) -> None:
    changes = build_changes(_current(simulated), Previous(_current(simulated), "store"))
    row = next(r for r in changes.figures if r.id == "incident_response_time")
    assert row.current is not None
    report = simulated.report.model_copy(update={"changes": changes})
    for lang, label, unit in (
        ("ja", "インシデント対応時間 |", "分"),
        ("en", "Incident response", " min"),
    ):
        line = next(
            x for x in render_markdown(report, lang).splitlines() if x.startswith(f"| {label}")
        )
        cells = [c.strip() for c in line.split("|")]
        assert cells[3] == f"{row.current:,.0f}{unit}", line  # the KPI's whole minutes


class _EmptySite:
    """A source whose months hold nothing but a CloudFront log read for other months."""

    name = "empty-site"

    def observe(self, period: Period, *, traffic_only: bool = False) -> Observations:
        return Observations(period, self.name, static_site=StaticSiteStats(0, 0, 0, 0))


def test_a_previous_month_with_no_data_is_no_previous_month() -> None:
    """The demo's July: June had no data, yet its table read 0 requests and 0% maintenance ❌."""
    july = Period.parse("2025-07", "Asia/Tokyo")
    assert not has_data(_EmptySite().observe(july.previous()))
    previous = load_previous(
        july, reports_dir=None, source=_EmptySite(), settings=Settings(),
        now=datetime(2025, 8, 1, tzinfo=UTC), prices=load_prices(),
        design=Architecture.FARGATE_ALB,
    )  # fmt: skip
    assert (previous.figures, previous.source, previous.month) == (None, "none", "2025-06")
