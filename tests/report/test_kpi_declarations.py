"""One declaration per KPI (report/kpis.py): what the builder, composer, JSON and terminal share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report import kpis
from portfolio.report.build import compute_report
from portfolio.report.compose import compose
from portfolio.report.model import Kpi, Report, Status
from portfolio.report.render.markdown import render_markdown
from portfolio.sketch import LatencySketch
from portfolio.sources.base import Observations, TrafficBucket
from portfolio.store.records import MinuteTotals, ProbeResult

PERIOD = Period.parse("2025-08", "Asia/Tokyo")
AFTER = datetime(2025, 9, 2, tzinfo=UTC)


def probes(down_minutes: int = 0) -> list[ProbeResult]:
    """A probe a minute all month; the first ``down_minutes`` of the 10th failed."""
    start = PERIOD.start + timedelta(days=10)
    out, at = [], PERIOD.start
    while at < PERIOD.end:
        ok = not start <= at < start + timedelta(minutes=down_minutes)
        out.append(ProbeResult(at=at, ok=ok, latency_ms=3.0 if ok else None,
                               status=200 if ok else 503))  # fmt: skip
        at += timedelta(minutes=1)
    return out


def traffic(hours: int, per_hour: int, ms: float = 40.0) -> list[TrafficBucket]:
    """``per_hour`` requests in each of the first ``hours`` hours of the month."""
    out = []
    for h in range(hours):
        sketch = LatencySketch()
        for _ in range(per_hour):
            sketch.add(ms)
        out.append(TrafficBucket(hour=PERIOD.start + timedelta(hours=h), endpoint="/health",
                                 status=200, count=per_hour, bytes_in=0, bytes_out=0,
                                 sketch=sketch))  # fmt: skip
    return out


def report_of(obs: Observations) -> Report:
    return compute_report(obs, Settings(), previous=None, now=AFTER, prices=load_prices())


def row(markdown: str, label: str) -> str:
    return next(line for line in markdown.splitlines() if line.startswith(f"| {label} |"))


def test_every_kpi_the_builder_makes_is_declared_and_carries_its_kind() -> None:
    r = report_of(Observations(period=PERIOD, source="test", probes=probes()))
    assert [k.id for k in r.kpis] == list(kpis.KPIS)
    for k in r.kpis:
        declared = kpis.spec(k.id)
        assert (k.unit, k.kind, k.direction, k.category) == (
            declared.unit, declared.kind.value, declared.direction, declared.category,
        )  # fmt: skip
    data = r.model_dump(mode="json")
    assert data["kpis"][1]["kind"] == "ms"


def test_an_undeclared_kpi_or_kind_fails_instead_of_borrowing_a_format() -> None:
    r = report_of(Observations(period=PERIOD, source="test", probes=probes()))
    stranger = Kpi(id="p95_latency", category="technical", unit="ms", kind="ms",
                   direction="lower_is_better", target=200.0, actual=150.0,
                   achievement_percent=100.0, met=True, status=Status.MET)  # fmt: skip
    with pytest.raises(kpis.UnknownKpiError):
        compose(r.model_copy(update={"kpis": [*r.kpis, stranger]}), "ja")
    with pytest.raises(kpis.UnknownKpiError):
        kpis.kind_of("permille")


def test_a_new_kpi_declared_in_milliseconds_is_written_in_milliseconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared = kpis.KpiSpec("p95_latency", "technical", kpis.Kind.MILLISECONDS, False, bound=True)
    monkeypatch.setitem(kpis.KPIS, "p95_latency", declared)
    monkeypatch.setitem(
        __import__("portfolio.report.render.text", fromlist=["TEXT"]).TEXT["ja"],
        "k.p95_latency", "p95レスポンス時間",
    )  # fmt: skip
    r = report_of(Observations(period=PERIOD, source="test", probes=probes()))
    new = Kpi(id="p95_latency", category="technical", unit="ms", kind="ms",
              direction="lower_is_better", target=200.0, actual=150.0,
              achievement_percent=100.0, met=True, status=Status.MET)  # fmt: skip
    ja = render_markdown(r.model_copy(update={"kpis": [*r.kpis, new]}), "ja")
    assert "| p95レスポンス時間 | 200ms以下 | 150ms | 100% | ✅ |" in ja


def test_a_missed_availability_target_never_shows_100_percent_attainment() -> None:
    # 51 minutes down of 44,640: 99.886 % against 99.9 % (attainment 99.986 %).
    r = report_of(Observations(period=PERIOD, source="test", probes=probes(51)))
    kpi = next(k for k in r.kpis if k.id == "availability")
    assert kpi.actual is not None
    assert 99.88 < kpi.actual < 99.9
    assert kpi.status is not Status.MET
    ja = render_markdown(r, "ja")
    cells = [c.strip() for c in row(ja, "可用性").split("|")]
    assert cells[4] == "99%", cells
    assert kpis.achievement_shown(99.986, met=False) == "99%"
    assert kpis.achievement_shown(99.9996, met=False, digits=2) == "99.99%"
    assert kpis.achievement_shown(100.0, met=True) == "100%"


def test_average_requests_per_minute_is_over_the_periods_minutes() -> None:
    # 600 requests in each of 10 hours: 6,000 over 44,640 minutes, not over the 600 busy ones.
    first = int(PERIOD.start.timestamp())
    busy = [MinuteTotals(minute=first + 60 * m, count=10, errors_5xx=0, latency_sum_ms=400.0)
            for m in range(600)]  # fmt: skip
    obs = Observations(period=PERIOD, source="test", probes=probes(), traffic=traffic(10, 600),
                       minutes=busy)  # fmt: skip
    r = report_of(obs)
    assert r.services.entry_point.requests_per_minute_avg == round(6000 / (744 * 60), 2)


@pytest.mark.parametrize(
    ("kpi_id", "value", "text"),
    [
        ("availability", 99.9, "99.9 %"),
        ("response_time_avg", 100.0, "100.0 ms"),
        ("error_rate", 0.19, "0.19 %"),
        ("monthly_cost", 10.0, "$10.00"),
        ("cost_efficiency", 8.056e-05, "$0.000081/req"),
        ("documentation_updates", 1.0, "1 a month"),
        ("incident_response_time", 15.0, "15.0 min"),
        ("security_incidents", 0.0, "0"),
        ("budget_attainment", 18.89, "18.89 %"),
        ("maintenance_completion", None, "no data"),
    ],
)
def test_the_terminal_summary_writes_each_figure_with_its_unit(
    kpi_id: str, value: float | None, text: str
) -> None:
    assert kpis.plain(kpi_id, value) == text
    assert "e-0" not in kpis.plain(kpi_id, value)


def test_a_first_month_has_no_cost_efficiency_target_rather_than_a_zero() -> None:
    """Cost efficiency's target is last month's cost per request: without a last month it
    is unknown (None in report.json, "no data" in the terminal), never $0/req."""
    r = report_of(Observations(period=PERIOD, source="test", traffic=traffic(24, 10, 50.0)))
    kpi = next(k for k in r.kpis if k.id == "cost_efficiency")
    assert (kpi.target, kpi.actual, kpi.status) == (None, None, Status.NO_DATA)
    assert kpis.plain(kpi.id, kpi.target) == "no data"
    assert r.model_dump(mode="json")["kpis"][[k.id for k in r.kpis].index(kpi.id)]["target"] is None
