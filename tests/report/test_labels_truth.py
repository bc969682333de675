"""Each label says what its figure is: small months built by hand, one rule each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.report.model import Report
from portfolio.report.render.markdown import render_markdown
from portfolio.sketch import LatencySketch
from portfolio.sources.base import Observations, TrafficBucket
from portfolio.sources.local import LocalSource
from portfolio.store.records import (
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    LogCount,
    MinuteTotals,
    ProbeResult,
    WorkItem,
)
from portfolio.store.sqlite import SQLiteStore

PERIOD = Period.parse("2025-08", "Asia/Tokyo")
AFTER = datetime(2025, 9, 2, tzinfo=UTC)


def bucket(endpoint: str, count: int, method: str = "GET", ms: float = 40.0) -> TrafficBucket:
    sketch = LatencySketch()
    for _ in range(count):
        sketch.add(ms)
    hour = PERIOD.start + timedelta(hours=5)
    return TrafficBucket(hour=hour, endpoint=endpoint, status=200, count=count, bytes_in=0,
                         bytes_out=0, sketch=sketch, method=method)  # fmt: skip


def probes() -> list[ProbeResult]:
    out, at = [], PERIOD.start
    while at < PERIOD.end:
        out.append(ProbeResult(at=at, ok=True, latency_ms=3.0, status=200))
        at += timedelta(minutes=1)
    return out


def report_of(obs: Observations, now: datetime = AFTER) -> Report:
    return compute_report(obs, Settings(), previous=None, now=now, prices=load_prices())


def lines(markdown: str, start: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(start)]


MIX = [
    ("/health", 45, "GET"),
    ("/api/v1/users", 10, "GET"),
    ("/api/v1/users/{user_id}", 15, "GET"),
    ("/api/v1/users", 20, "POST"),
    ("/api/v1/users/{user_id}", 10, "PATCH"),
    ("/api/v1/metrics", 20, "GET"),
    ("/openapi.json", 10, "GET"),
]


def test_the_request_mix_counts_get_when_it_says_get() -> None:
    obs = Observations(period=PERIOD, source="test", probes=probes(),
                       traffic=[bucket(e, n, m) for e, n, m in MIX])  # fmt: skip
    ja = render_markdown(report_of(obs), "ja")
    # 130 requests: GET users = 25 (not the 55 of every method); POST/PATCH are その他.
    assert "- **GET /api/v1/users**: 19%（ユーザー情報取得）" in ja
    assert "- **その他**: 31%" in ja


def test_a_source_that_merges_methods_says_the_mix_is_every_method() -> None:
    obs = Observations(period=PERIOD, source="test", probes=probes(),
                       traffic=[bucket(e, n, "") for e, n, _m in MIX])  # fmt: skip
    r = report_of(obs)
    ja, en = render_markdown(r, "ja"), render_markdown(r, "en")
    assert "- **/api/v1/users（全メソッド）**: 42%（ユーザー情報取得）" in ja
    assert not lines(ja, "- **GET ")
    assert lines(en, "- **/api/v1/users (all methods)**: 42%")


def test_a_store_that_is_not_dynamodb_says_what_it_is(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    try:
        at = PERIOD.start + timedelta(days=3)
        store.add_work_item(WorkItem(id="w1", at=at, kind="docs", summary="台帳の更新"))
        obs = LocalSource(store).observe(PERIOD)
    finally:
        store.close()
    assert obs.data_store is not None
    assert obs.data_store.status is None  # no DynamoDB table, so no ACTIVE
    ja, en = (render_markdown(report_of(obs), lang) for lang in ("ja", "en"))
    assert "- **ステータス**: DynamoDBではありません（sqliteストアで稼働" in ja
    assert "ACTIVE" not in ja
    assert "- **Status**: not DynamoDB (running on the sqlite store" in en


def month_of(label: str, *, simulated: bool, notes: list[str] | None = None) -> Report:
    period = Period.parse(label, "Asia/Tokyo")
    sketch = LatencySketch()
    for _ in range(100):
        sketch.add(40.0)
    traffic = [TrafficBucket(hour=period.start + timedelta(hours=5), endpoint="/health",
                             status=200, count=100, bytes_in=0, bytes_out=0, sketch=sketch,
                             method="GET")]  # fmt: skip
    obs = Observations(period=period, source="test", traffic=traffic, simulated=simulated,
                       notes=notes or [])  # fmt: skip
    return report_of(obs, now=period.end + timedelta(days=2))


def test_the_originals_cost_is_discussed_in_the_demo_of_its_month_only() -> None:
    for label, simulated, shown in (
        ("2025-08", True, True), ("2025-08", False, False), ("2025-07", True, False),
    ):  # fmt: skip
        r = month_of(label, simulated=simulated)
        for lang in ("ja", "en"):
            assert ("$8.45" in render_markdown(r, lang)) is shown, (label, simulated, lang)


def test_a_simulated_report_never_claims_measured_data() -> None:
    r = month_of("2025-08", simulated=True)
    en, ja = render_markdown(r, "en"), render_markdown(r, "ja")
    assert "computed from measured data" not in en
    assert "simulated data generated for the demo" in en
    assert "各数値は計測データから算出しています" not in ja
    real = render_markdown(month_of("2025-08", simulated=False), "en")
    assert "Every figure is computed from measured data" in real


def test_each_report_carries_the_source_notes_in_its_own_language() -> None:
    note = "CloudFront 標準ログ 2 ファイル、読み取れない行 0 行 / CloudFront standard logs: 2 files"
    r = month_of("2025-08", simulated=False, notes=[note])
    en, ja = render_markdown(r, "en"), render_markdown(r, "ja")
    assert "- CloudFront standard logs: 2 files" in en
    assert "標準ログ" not in en
    assert "- CloudFront 標準ログ 2 ファイル、読み取れない行 0 行" in ja
    assert "英語版" not in ja  # no pointer to a note only the other report has


def test_an_incidents_content_gives_its_measured_figure_not_its_title_again() -> None:
    first = int(PERIOD.start.timestamp())
    slow_from = first + 3600 * 24 * 21 + 3600 * 10 + 15 * 60  # 08-22 10:15 JST (UTC+9 below)
    slow_from -= 9 * 3600
    minutes = [
        MinuteTotals(
            minute=slow_from + 60 * m, count=10, errors_5xx=0, latency_sum_ms=10 * (116.0 + m % 9)
        )
        for m in range(30)
    ]  # 116..124 ms a minute, 120 on average over 10:15-10:45
    warned = first + 3600 * 24 * 17 + 3600 * 5 + 30 * 60  # 08-18 14:30 JST
    start = datetime.fromtimestamp(slow_from, UTC)
    incidents = [
        Incident(id="i2", started_at=start, ended_at=start + timedelta(minutes=30),
                 summary="一時的なレスポンス時間増加 / temporary rise in response time"),
        Incident(id="i1", started_at=datetime.fromtimestamp(warned, UTC),
                 ended_at=datetime.fromtimestamp(warned + 60, UTC),
                 summary="軽微なログ警告 / minor log warnings"),
    ]  # fmt: skip
    logs = [LogCount(minute=warned, task="t1", level="WARNING", count=2)]
    obs = Observations(period=PERIOD, source="test", probes=probes(), minutes=minutes,
                       incidents=incidents, log_counts=logs)  # fmt: skip
    r = report_of(obs)
    latency = next(i for i in r.incidents if i.kind == "latency")
    assert latency.window_value == 119.7  # (116+…+124 over 30 minutes) / 30, exactly
    ja = render_markdown(r, "ja")
    assert "- **内容**: レスポンス時間が一時的に120msに増加（期間の平均。最悪の1分は124ms）" in ja
    assert "- **内容**: CloudWatch Logsの軽微な警告（2件）" in ja
    assert "- **内容**: 一時的なレスポンス時間増加" not in ja


def run(kind: str, day: int, *statuses: FindingStatus) -> CheckRun:
    at = PERIOD.start + timedelta(days=day, hours=1)
    findings = tuple(Finding(check_id=f"c{n}", status=s, detail="") for n, s in enumerate(statuses))
    return CheckRun(id=f"{kind}{day}", kind=kind, target="local", started_at=at,
                    finished_at=at, findings=findings)  # fmt: skip


def test_a_checklist_line_says_how_its_runs_came_out() -> None:
    ok, warn, fail = FindingStatus.PASS, FindingStatus.WARN, FindingStatus.FAIL
    runs = [run("weekly", d, ok, warn) for d in (6, 13, 20, 27)]
    runs += [run("daily", d, ok) for d in range(31)]
    runs[-1] = run("daily", 30, ok, fail)
    r = report_of(Observations(period=PERIOD, source="test", probes=probes(), check_runs=runs))
    weekly = next(m for m in r.work.maintenance if m.id == "weekly")
    assert (weekly.count, weekly.passed, weekly.warned, weekly.failed) == (4, 0, 4, 0)
    ja, en = render_markdown(r, "ja"), render_markdown(r, "en")
    assert "- [x] 週次パフォーマンス確認（4回）：合格0回・警告4回・不合格0回" in ja
    assert "- [x] 日次ヘルスチェック（31回）：合格30回・警告0回・不合格1回" in ja
    assert "(runs: 4): 0 passed, 4 warned, 0 failed" in en


def test_a_month_in_progress_prices_cost_and_unit_costs_on_one_basis() -> None:
    now = PERIOD.start + timedelta(days=10)
    obs = Observations(period=PERIOD, source="test", probes=[p for p in probes() if p.at < now],
                       traffic=[bucket("/health", 682)])  # fmt: skip
    mid, whole = report_of(obs, now=now), report_of(obs)
    assert mid.period.in_progress
    c = mid.costs
    assert c.total_usd is not None
    assert c.per_request_usd is not None
    assert c.per_hour_usd is not None
    # The same cost divided by the same period's requests and hours.
    assert abs(c.per_request_usd * 682 - c.total_usd) < 1e-3
    assert abs(c.per_hour_usd * 240 - c.total_usd) < 0.01
    assert whole.costs.total_usd is not None
    assert c.total_usd < whole.costs.total_usd / 2  # ten days' cost, not the month's
    assert "現時点まで（240.0時間）の利用に基づきます" in render_markdown(mid, "ja")


def hour_bucket(
    day: int, hour: int, ms: float, count: int = 10, period: Period = PERIOD
) -> TrafficBucket:
    sketch = LatencySketch()
    for _ in range(count):
        sketch.add(ms)
    at = period.start + timedelta(days=day - 1, hours=hour)
    return TrafficBucket(hour=at, endpoint="/health", status=200, count=count, bytes_in=0,
                         bytes_out=0, sketch=sketch, method="GET")  # fmt: skip


def test_weekly_max_and_min_are_the_worst_and_best_hour_and_every_week_has_a_trend() -> None:
    # Day 1: an hour at 100 ms and one at 60 ms (daily mean 80); day 2: 80 ms all day.
    traffic = [hour_bucket(1, 9, 100.0), hour_bucket(1, 3, 60.0), hour_bucket(2, 9, 80.0)]
    traffic += [hour_bucket(d, 9, 80.0) for d in (8, 15, 22, 29, 30, 31)]
    before = Period.parse("2025-07", "Asia/Tokyo")
    previous = Observations(period=before, source="test",
                            traffic=[hour_bucket(5, 9, 78.0, period=before)])  # fmt: skip
    obs = Observations(period=PERIOD, source="test", probes=probes(), traffic=traffic)
    r = compute_report(obs, Settings(), previous=previous, now=AFTER, prices=load_prices())
    first, last = r.performance.weekly[0], r.performance.weekly[-1]
    assert (first.max_ms, first.min_ms) == (100.0, 60.0)  # not the daily means 80 / 80
    assert first.trend == "stable"  # 80 against July's 78: +2.6 %
    assert (last.week, last.days, last.partial) == (5, 3, True)
    ja = render_markdown(r, "ja")
    assert lines(ja, "| 第1週 | 80ms | 100ms | 60ms | 安定 |")
    assert lines(ja, "| 第5週（3日間） |")
    assert "最も遅い/速い1時間" in ja
