"""The demo's month beside the original report's: each of the original's figures, ours within
a stated tolerance.

The report is built exactly as `portfolio demo` builds it (same library call, same
seed), so these are the figures the demo prints. Each row names the original's figure,
where ours comes from and how close it must be. Figures the original could not have
measured are not compared, and the reason is written here:

- Costs ($8.45 in all, $2.80 for the ALB, $0.00039/req): an ALB alone bills more than
  $8.45 a month and the unit costs do not multiply out; the report shows the honest
  estimate and docs/report.md explains the difference.
- Network I/O "2.3 MB/s": 21,600 small JSON answers a day are ~0.6 kB/s; 2.3 MB/s
  would be ~9 MB per request. The demo's bytes are simulated per request and the
  figure is what they sum to.
- "150 req/min": 21,600 requests a day are 15 a minute; we check that ours agrees with
  our own daily volume instead.
- Weekly 最大値/最小値 (95–105 / 65–72 ms): read as the highest and lowest daily mean,
  a day at 102–105 ms would run its peak hours above the 100 ms target for hours — a
  latency incident the original does not report. Ours stay within a few ms of the week.
- コンシュームドキャパシティ 15 %: ours is against the table's maximum throughput
  setting (store.max_read_units_per_s), not comparable with an unstated reference.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from portfolio.checks.template import cached_assembly
from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.costs.estimator import Architecture
from portfolio.period import Period
from portfolio.report import numbers
from portfolio.report.build import (
    COST_THRESHOLD_PERCENT,
    COST_THRESHOLD_USD,
    Previous,
    build_changes,
    compute_report,
    load_previous,
)
from portfolio.report.model import Report
from portfolio.report.render.markdown import render_markdown
from portfolio.report.series import HEADLINE, read_month
from portfolio.report.write import write_report
from portfolio.simulate.demo import demo_settings, simulate_demo
from portfolio.simulate.scenarios import SCENARIOS
from portfolio.sources.base import Observations
from portfolio.sources.local import LocalSource
from portfolio.store.sqlite import SQLiteStore

DEMO_SEED = 7  # `portfolio demo`'s default
MONTH = "2025-08"


@dataclass
class Demo:
    report: Report
    obs: Observations
    source: LocalSource
    settings: Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    settings = demo_settings(Settings(), MONTH)
    root = Path(tmp_path_factory.mktemp("demo"))
    period = Period.parse(MONTH, settings.report.timezone)
    store = SQLiteStore(root / "demo.db")
    source = simulate_demo(
        store,
        period,
        settings,
        rng=np.random.default_rng(DEMO_SEED),
        assembly=cached_assembly,
        logs_dir=root / "cloudfront",
    )
    obs = source.observe(period)
    previous = source.observe(period.previous(), traffic_only=True)
    report = compute_report(
        obs, settings, previous=previous, now=datetime.now(UTC), prices=load_prices()
    )
    yield Demo(report, obs, source, settings)
    store.close()


def _share(r: Report, group: str) -> float | None:
    """The report's own リクエストパターン share of a group, in percent."""
    return next((100 * p.share for p in r.traffic.pattern if p.group == group), None)


def _night_ms(r: Report) -> float:
    """Mean response time 0:00–6:00, request-weighted from the hour-of-day rows."""
    rows = [h for h in r.performance.by_hour if h.hour < 6 and h.avg_ms is not None]
    return sum(h.avg_ms * h.requests for h in rows if h.avg_ms) / sum(h.requests for h in rows)


def _week(r: Report, n: int) -> float | None:
    return r.performance.weekly[n - 1].avg_ms


def _busiest(r: Report) -> float | None:
    return r.traffic.busiest_day.requests if r.traffic.busiest_day else None


def _quietest(r: Report) -> float | None:
    return r.traffic.quietest_day.requests if r.traffic.quietest_day else None


# (the original's label, its figure, ours from the report, absolute tolerance)
FIGURES: list[tuple[str, float, Callable[[Report], float | None], float]] = [
    ("日次リクエスト数 平均 (req/day)", 21_600, lambda r: r.traffic.daily_average, 21_600 * 0.02),
    ("最大 (req/day, 8月15日)", 28_400, _busiest, 28_400 * 0.03),
    ("最小 (req/day, 8月8日)", 15_200, _quietest, 15_200 * 0.03),
    ("GET /health (%)", 45, lambda r: _share(r, "/health"), 1.0),
    ("GET /api/v1/users (%)", 25, lambda r: _share(r, "/api/v1/users"), 1.0),
    ("GET /api/v1/metrics (%)", 20, lambda r: _share(r, "/api/v1/metrics"), 1.0),
    ("その他 (%)", 10, lambda r: _share(r, "other"), 1.0),
    ("第1週 平均 (ms)", 78, lambda r: _week(r, 1), 2.0),
    ("第2週 平均 (ms)", 82, lambda r: _week(r, 2), 2.0),
    ("第3週 平均 (ms)", 85, lambda r: _week(r, 3), 2.0),
    ("第4週 平均 (ms)", 87, lambda r: _week(r, 4), 2.0),
    ("レスポンス時間 (ms)", 85, lambda r: r.latency_ms.avg, 3.0),
    ("ピーク時間 平均 (ms)", 90, lambda r: r.performance.peak.peak.avg, 3.0),
    ("オフピーク 0:00-6:00 平均 (ms)", 75, _night_ms, 3.0),
    ("エラー率 (%)", 0.2, lambda r: r.error_rate, 0.05),
    ("CPU使用率 平均 (%)", 45, lambda r: r.services.compute.cpu_avg_percent, 3.0),
    ("メモリ使用率 平均 (%)", 38, lambda r: r.services.compute.memory_avg_percent, 2.0),
    ("キャッシュヒット率 (%)", 92, lambda r: r.services.static_site.cache_hit_ratio_percent, 1.5),
    ("読み取りレイテンシー (ms)", 12, lambda r: r.services.data_store.read_latency_ms, 1.0),
    ("書き込みレイテンシー (ms)", 8, lambda r: r.services.data_store.write_latency_ms, 1.0),
    ("可用性 (%)", 100, lambda r: r.availability.percent, 0.0),
    ("予期しない停止 (min)", 0, lambda r: r.availability.unplanned_downtime_minutes, 0.0),
    ("計画停止 (min)", 0, lambda r: r.availability.planned_downtime_minutes, 0.0),
    ("ヘルスチェック (%)", 100, lambda r: r.services.entry_point.health_check_success_percent, 0),
    ("インシデント対応時間 (min)", 15, lambda r: _kpi(r, "incident_response_time"), 0.0),
]  # fmt: skip


def _kpi(r: Report, kpi_id: str) -> float | None:
    return next(k.actual for k in r.kpis if k.id == kpi_id)


@pytest.mark.parametrize(
    ("label", "original", "ours", "tolerance"), FIGURES, ids=[f[0] for f in FIGURES]
)
def test_figure_matches_the_original(
    demo: Demo,
    label: str,
    original: float,
    ours: Callable[[Report], float | None],
    tolerance: float,
) -> None:
    value = ours(demo.report)
    assert value is not None, f"{label}: no data"
    assert math.isclose(value, original, abs_tol=tolerance), (
        f"{label}: ours {value}, original {original}"
    )


def test_busiest_and_quietest_days_are_the_originals(demo: Demo) -> None:
    traffic = demo.report.traffic
    assert traffic.busiest_day is not None
    assert traffic.quietest_day is not None
    assert traffic.busiest_day.date.isoformat() == "2025-08-15"
    assert traffic.quietest_day.date.isoformat() == "2025-08-08"


def test_peak_hours_are_9_to_11_and_13_to_15(demo: Demo) -> None:
    assert demo.report.performance.peak.peak_hours == [9, 10, 13, 14]


def test_every_week_is_stable_as_in_the_original(demo: Demo) -> None:
    # 安定 in all four rows of the original; week 1 against July's mean.
    assert [w.trend for w in demo.report.performance.weekly[0:4]] == ["stable"] * 4


def test_the_two_minor_problems_at_the_originals_times(demo: Demo) -> None:
    zone = demo.obs.period.zone
    rows = [(i.start.astimezone(zone), i.end, i.severity, i.kind) for i in demo.report.incidents]
    assert [(start.strftime("%m-%d %H:%M"), severity) for start, _, severity, _ in rows] == [
        ("08-18 14:30", "minor"),
        ("08-22 10:15", "minor"),
    ]
    spell = demo.report.incidents[1]
    assert spell.kind == "latency"
    assert spell.detected
    assert spell.recorded
    assert spell.end is not None
    # The spell ends at 10:45; week 4's peak hours run at ~97 ms a minute against the
    # 100 ms target, so the detector may find the next minute over too (docs/report.md).
    assert spell.end.astimezone(zone).strftime("%H:%M") in ("10:45", "10:46")


def test_the_latency_spell_averages_about_120_ms(demo: Demo) -> None:
    spell = demo.report.incidents[1]
    assert spell.end is not None
    start, end = spell.start.timestamp(), spell.end.timestamp()
    minutes = [m for m in demo.obs.minutes if start <= m.minute < end]
    mean = sum(m.latency_sum_ms for m in minutes) / sum(m.count for m in minutes)
    assert math.isclose(mean, 120, abs_tol=5), mean


def test_no_error_log_lines_and_two_warnings(demo: Demo) -> None:
    levels = {"ERROR": 0, "WARNING": 0}
    for count in demo.obs.log_counts:
        levels[count.level] = levels.get(count.level, 0) + count.count
    assert levels["ERROR"] == 0
    assert levels["WARNING"] == 2


def test_requests_per_minute_agree_with_the_daily_volume(demo: Demo) -> None:
    # The original's 150 req/min contradicts its own 21,600 req/day (15 a minute).
    per_minute = demo.report.services.entry_point.requests_per_minute_avg
    daily = demo.report.traffic.daily_average
    assert per_minute is not None
    assert daily is not None
    assert math.isclose(per_minute, daily / 1440, rel_tol=0.02)


def test_scheduled_checks_ran_31_4_and_1_times(demo: Demo) -> None:
    done = {c.kind: c.done for c in demo.report.work.checks}
    assert done == {"daily": 31, "weekly": 4, "monthly": 1}


def test_static_site_has_no_origin_errors_and_is_served_from_japan(demo: Demo) -> None:
    site = demo.obs.static_site
    assert site is not None
    assert site.requests > 0
    assert site.errors_5xx == 0
    edges = [code for code, _ in site.edge_locations]
    assert edges[0] == "NRT"
    assert "KIX" in edges


def test_targets_were_healthy_all_month(demo: Demo) -> None:
    totals = demo.obs.target_health_totals
    assert totals is not None
    assert totals.minutes == 31 * 24 * 60
    assert totals.healthy == totals.registered > 0


def test_the_security_section_is_the_originals(demo: Demo) -> None:
    anomalies = demo.obs.access_anomalies
    assert anomalies is not None
    assert (anomalies.scanner_requests, anomalies.burst_minutes) == (0, 0)
    ja = render_markdown(demo.report, "ja")
    for line in (
        "- **IAM設定**: 適切", "- **セキュリティグループ**: 適切", "- **暗号化**: 全リソースで有効",
        "- **アクセスログ**: 正常記録中", "- **異常アクセス**: 0件", "- **権限変更**: 0件",
        "- **セキュリティスキャン**: クリア", "- **脆弱性**: 未実施（", "- **暗号化**: 準拠",
        "- **ログ記録**: 準拠", "- **アクセス制御**: 準拠",
    ):  # fmt: skip
        assert any(x.startswith(line) for x in ja.splitlines()), line


def test_the_originals_plan_items_are_in_the_demo(demo: Demo) -> None:
    ja = render_markdown(demo.report, "ja")
    for title in ("監視の強化", "リソースサイズの最適化", "使用量の最適化", "マルチリージョン展開",
                  "自動復旧機能", "高度な監視", "コンプライアンス強化", "マイクロサービス化",
                  "監視の細分化", "自動化の推進", "ドキュメント充実", "継続的な安定運用",
                  "技術的進化", "運用効率化"):  # fmt: skip
        assert f"**{title}**: " in ja, title
    assert "   - 可用性目標: 99.95%" in ja


def test_the_detection_scenario_shows_each_detection(tmp_path: Path) -> None:
    settings = Settings()
    period = Period.parse(MONTH, settings.report.timezone)
    store = SQLiteStore(tmp_path / "detect.db")
    detection = SCENARIOS["detection"]
    scenario = replace(detection, model=replace(detection.model, daily_requests=3000))
    try:
        source = simulate_demo(store, period, settings, rng=np.random.default_rng(DEMO_SEED),
                               assembly=cached_assembly, logs_dir=tmp_path / "cf",
                               scenario=scenario, months=1)  # fmt: skip
        obs = source.observe(period)
        report = compute_report(obs, settings, previous=None, now=datetime.now(UTC),
                                prices=load_prices())  # fmt: skip
    finally:
        store.close()
    m = report.security.metrics
    assert m.anomalous_requests is not None
    assert m.anomalous_requests > 0
    assert m.burst_minutes is not None
    assert m.burst_minutes >= 1
    assert m.permission_changes == 1
    audit = {a.id: a.outcome for a in report.security.audit}
    assert audit["security_groups"] == "fail"
    ja = render_markdown(report, "ja")
    assert "- **権限変更**: 1件" in ja


@dataclass
class Series:
    """The demo's July and August as `portfolio demo` writes them: July's report.json,
    then August's, which reads July's for 前月からの変化."""

    july: dict[str, Any]
    august: dict[str, Any]
    report: Report


@pytest.fixture(scope="module")
def series(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Series:
    # Only the tests that compare months pay for July's report; the rest use `demo`.
    reports = Path(tmp_path_factory.mktemp("reports"))
    period = Period.parse(MONTH, demo.settings.report.timezone)
    now, prices = datetime.now(UTC), load_prices()
    july = compute_report(
        demo.source.observe(period.previous()), demo_settings(Settings(), "2025-07"),
        previous=None, now=now,
        prices=prices, previous_month=Previous(None, "none", "2025-06"),
    )  # fmt: skip
    write_report(july, reports / "2025-07", formats=["json"], langs=["ja"])
    last = load_previous(period, reports_dir=reports, source=demo.source, settings=demo.settings,
                         now=now, prices=prices, design=Architecture.FARGATE_ALB)  # fmt: skip
    august = demo.report.model_copy(
        update={"changes": build_changes(read_month(demo.report.model_dump(mode="json")), last)}
    )
    write_report(august, reports / MONTH, formats=["json"], langs=["ja"])
    read = [
        json.loads((reports / m / "report.json").read_text("utf-8")) for m in ("2025-07", MONTH)
    ]
    return Series(read[0], read[1], august)


def _at(data: Any, path: str) -> Any:
    for step in path.split("."):
        data = data[step]
    return data


def test_the_changes_since_july_are_the_two_report_jsons(series: Series) -> None:
    changes = series.august["changes"]
    assert changes["source"] == "report.json"
    assert changes["previous_month"] == "2025-07"
    assert changes["previous_schema_version"] == series.july["schema_version"]
    kpis = {m: {k["id"]: k for k in data["kpis"]} for m, data in
            (("07", series.july), ("08", series.august))}  # fmt: skip
    figures = {f["id"]: f for f in changes["figures"]}
    for kpi_id, kpi in kpis["08"].items():
        row = figures[kpi_id]
        assert (row["previous"], row["current"]) == (kpis["07"][kpi_id]["actual"], kpi["actual"])
        assert (row["previous_status"], row["status"]) == (kpis["07"][kpi_id]["status"],
                                                            kpi["status"])  # fmt: skip
        if row["previous"] is not None and row["current"] is not None:
            assert row["change"] == pytest.approx(row["current"] - row["previous"], abs=1e-6)
    for name, (path, _kind) in HEADLINE.items():
        july, august = (_at(d, path) for d in (series.july, series.august))
        if isinstance(july, list):
            july, august = len(july), len(august)
        assert (figures[name]["previous"], figures[name]["current"]) == (july, august), name
    # The demo's July is the month before: faster, nothing wrong; August has its incidents.
    assert figures["latency_p95_ms"]["change"] > 0
    assert figures["incidents"]["previous"] == 0
    assert figures["incidents"]["current"] >= 2


def test_the_changed_costs_incidents_and_proposals_follow_the_files(series: Series) -> None:
    changes = series.august["changes"]
    before = {x["service"]: x["usd"] for x in series.july["costs"]["lines"]}
    after = {x["service"]: x["usd"] for x in series.august["costs"]["lines"]}

    def moved_enough(s: str) -> bool:
        delta = after.get(s, 0) - before.get(s, 0)
        share = abs(delta / before[s]) * 100 if before.get(s) else None
        return abs(delta) >= COST_THRESHOLD_USD and (
            share is None or share > COST_THRESHOLD_PERCENT
        )

    moved = {s for s in before.keys() | after.keys() if moved_enough(s)}
    assert {c["service"] for c in changes["costs"]} == moved
    new = {i["kind"] for i in series.august["incidents"]} - {
        i["kind"] for i in series.july["incidents"]
    }
    assert {i["kind"] for i in changes["incidents"] if i["state"] == "new"} == new
    assert new, "the demo's August has incidents July had not"
    raised = {p["id"] for p in series.august["proposals"]}
    follow = {p["id"]: p["state"] for p in changes["proposals"]}
    assert follow == {
        p["id"]: "still" if p["id"] in raised else "gone" for p in series.july["proposals"]
    }


def test_the_changes_section_follows_the_summary_in_both_languages(series: Series) -> None:
    ja, en = render_markdown(series.report, "ja"), render_markdown(series.report, "en")
    assert (
        ja.index("## 運用実績サマリー")
        < ja.index("## 前月からの変化")
        < ja.index("## サービス別運用状況")
    )
    assert "## Changes since last month" in en
    assert "比較対象: 2025-07（前月の report.json）" in ja
    july_requests = numbers.count(series.july["traffic"]["total_requests"])
    august_requests = numbers.count(series.august["traffic"]["total_requests"])
    assert f"| 総リクエスト数 | {july_requests} | {august_requests} |" in ja
    assert f"| Total requests | {july_requests} | {august_requests} |" in en
