"""The report's items from Observations built by hand: each rule shown on a small month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.report.model import Report, Status
from portfolio.report.render.markdown import render_markdown
from portfolio.report.security import COMPLIANCE
from portfolio.security_rules import PERMISSION_API_KEYS, RULE_ID
from portfolio.sketch import LatencySketch
from portfolio.sources.base import (
    AccessAnomalies,
    DataStoreStatus,
    Observations,
    PermissionChange,
    SiteProbe,
    StaticSiteStats,
    TargetHealthSample,
    TrafficBucket,
)
from portfolio.store.records import (
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    LogCount,
    ProbeResult,
    StoreCallStat,
    WorkItem,
)

PERIOD = Period.parse("2025-08", "Asia/Tokyo")
AFTER = datetime(2025, 9, 2, tzinfo=UTC)


def _probes(gap: tuple[datetime, datetime] | None = None) -> list[ProbeResult]:
    out = []
    at = PERIOD.start
    while at < PERIOD.end:
        if gap is None or not gap[0] <= at < gap[1]:
            out.append(ProbeResult(at=at, ok=True, latency_ms=3.0, status=200))
        at += timedelta(minutes=1)
    return out


def _traffic(count: int = 1000, ms: float = 40.0) -> list[TrafficBucket]:
    sketch = LatencySketch()
    for _ in range(count):
        sketch.add(ms)
    hour = PERIOD.start + timedelta(hours=5)
    return [TrafficBucket(hour=hour, endpoint="/health", status=200, count=count,
                          bytes_in=100 * count, bytes_out=500 * count, sketch=sketch)]  # fmt: skip


def _report(obs: Observations, previous: Observations | None = None, **settings: object) -> Report:
    return compute_report(
        obs,
        Settings(**settings),
        previous=previous,
        now=AFTER,
        prices=load_prices(),  # type: ignore[arg-type]
    )


def test_a_three_hour_probe_gap_lowers_coverage_and_never_reads_100_percent() -> None:
    gap = (PERIOD.start + timedelta(days=3), PERIOD.start + timedelta(days=3, hours=3))
    full = _report(Observations(period=PERIOD, source="test", probes=_probes()))
    holed = _report(Observations(period=PERIOD, source="test", probes=_probes(gap)))
    assert full.availability.coverage_percent == 100.0
    assert holed.availability.coverage_percent is not None
    assert holed.availability.coverage_percent < full.availability.coverage_percent
    assert round(100 - holed.availability.coverage_percent, 2) == round(100 * 180 / (744 * 60), 2)
    # Availability is over measured minutes; the reader is told which share that was.
    ja = render_markdown(holed, "ja")
    assert "- **可用性**: 100.000%（計測時間に対する値。計測カバー率 99.6%）" in ja
    assert "- **計測カバー率**: 99.6%" in ja
    # Below the coverage threshold the availability KPI is not met, whatever it reads.
    strict = _report(Observations(period=PERIOD, source="test", probes=_probes(gap)),
                     report={"min_coverage_pct": 99.9})  # fmt: skip
    kpi = next(k for k in strict.kpis if k.id == "availability")
    assert kpi.status is not Status.MET
    assert strict.availability.coverage_sufficient is False
    assert "prober_coverage_low" in {p.id for p in strict.proposals}
    ja = render_markdown(strict, "ja")
    assert "| 可用性 | 99.9% | 100.000% |" not in ja
    assert "計測のない時間は稼働とみなしていません" in ja


def test_severity_rule_counts_and_one_duration_everywhere() -> None:
    start = PERIOD.start + timedelta(days=10)
    probes = [p if not start <= p.at < start + timedelta(minutes=12)
              else ProbeResult(at=p.at, ok=False, latency_ms=None, status=503)
              for p in _probes()]  # fmt: skip
    sec, minor = start + timedelta(days=2), start + timedelta(days=5)
    incidents = [
        Incident(id="sec1", started_at=sec, ended_at=sec + timedelta(minutes=5),
                 summary="不正ログイン試行 / login attempts", severity="security"),
        Incident(id="minor1", started_at=minor, ended_at=minor + timedelta(minutes=30),
                 summary="ログ警告 / log warning", severity="minor"),
    ]  # fmt: skip
    r = _report(Observations(period=PERIOD, source="test", probes=probes, incidents=incidents))
    assert (r.incident_counts.major, r.incident_counts.minor, r.incident_counts.security) == (
        1,
        1,
        1,
    )
    outage = next(i for i in r.incidents if i.kind == "outage")
    ja = render_markdown(r, "ja")
    minutes = f"{outage.duration_minutes:,.0f}分"
    title = next(
        line for line in ja.splitlines() if line.startswith("#### 問題") and "停止" in line
    )
    assert minutes in title
    assert f"（{minutes}）" in ja  # the 発生日時 line says the same number
    assert "- **重大インシデント**: 1件" in ja
    assert "- **セキュリティインシデント**: 1件" in ja


def _monthly(statuses: dict[str, FindingStatus]) -> CheckRun:
    at = PERIOD.start + timedelta(days=20)
    findings = tuple(Finding(check_id=c, status=s, detail="") for c, s in statuses.items())
    return CheckRun(id="m1", kind="monthly", target="local", started_at=at, finished_at=at,
                    findings=findings)  # fmt: skip


def test_compliance_is_met_only_when_every_mapped_check_passed() -> None:
    every = {c for checks in COMPLIANCE.values() for c in checks}
    passing = dict.fromkeys(every, FindingStatus.PASS)
    r = _report(Observations(period=PERIOD, source="test", check_runs=[_monthly(passing)]))
    assert {c.id: c.outcome for c in r.security.compliance} == dict.fromkeys(COMPLIANCE, "pass")
    one_fails = {**passing, "sec_access_logging": FindingStatus.FAIL}
    r = _report(Observations(period=PERIOD, source="test", check_runs=[_monthly(one_fails)]))
    outcomes = {c.id: c.outcome for c in r.security.compliance}
    assert outcomes["logging"] == "fail"
    assert outcomes["access_control"] == "pass"
    missing = {k: v for k, v in passing.items() if k != "backup_restore_test"}
    r = _report(Observations(period=PERIOD, source="test", check_runs=[_monthly(missing)]))
    data = next(c for c in r.security.compliance if c.id == "data_protection")
    assert data.outcome == "warn"
    assert "backup_restore_test" in data.failing
    assert "**データ保護**: 準拠" not in render_markdown(r, "ja")


def test_security_metrics_come_from_their_inputs_or_say_not_run() -> None:
    at = PERIOD.start + timedelta(days=1)
    obs = Observations(
        period=PERIOD, source="test",
        access_anomalies=AccessAnomalies(scanner_requests=37, burst_minutes=2, burst_clients=None,
                                         rule=RULE_ID),
        permission_changes=[PermissionChange(at=at, kind="api_keys", subject="keys")],
        check_runs=[_monthly({"sec_iac_scan": FindingStatus.PASS,
                              "sec_dependency_audit": FindingStatus.FAIL})],
        work_items=[WorkItem(id="w1", at=at, kind=PERMISSION_API_KEYS, summary="key added"),
                    WorkItem(id="w2", at=at, kind="docs", summary="手順書更新 / runbook")],
    )  # fmt: skip
    r = _report(obs)
    m = r.security.metrics
    assert (m.anomalous_requests, m.burst_minutes, m.permission_changes) == (37, 2, 1)
    assert (m.scan.outcome, m.vulnerabilities.outcome) == ("pass", "fail")
    ja = render_markdown(r, "ja")
    assert "- **セキュリティスキャン**: クリア" in ja
    assert "- **脆弱性**: 検出あり" in ja
    assert "- **権限変更**: 1件" in ja
    # A permission change is recorded in the operations log but is not work done.
    assert [w.kind for w in r.work.items] == ["docs"]
    assert r.work.improvements == []
    assert len(r.work.documentation) == 1
    none = _report(Observations(period=PERIOD, source="test"))
    assert none.security.metrics.permission_changes is None
    assert none.security.metrics.scan.outcome == "not_run"
    assert "- **脆弱性**: 未実施" in render_markdown(none, "ja")


def test_service_items_from_their_observations() -> None:
    minute = int(PERIOD.start.timestamp()) // 60
    obs = Observations(
        period=PERIOD, source="test", traffic=_traffic(), probes=_probes(),
        log_counts=[LogCount(minute=minute, task="t1", level="WARNING", count=2),
                    LogCount(minute=minute, task="t1", level="ERROR", count=1)],
        target_health=[TargetHealthSample(minute=minute, healthy=2, total=2),
                       TargetHealthSample(minute=minute + 1, healthy=1, total=2)],
        data_store=DataStoreStatus(backend="dynamodb", tables=["a"], max_read_units_per_s=100.0,
                                   max_write_units_per_s=50.0, encryption="AES256"),
        store_stats=[StoreCallStat(minute=minute, task="t1", backend="dynamodb",
                                   operation="get_user", count=10, errors=0, throttles=1,
                                   latency_sum_ms=120.0, latency_max_ms=20.0,
                                   capacity_units=2678.4)],
        static_site=StaticSiteStats(requests=100, cache_hits=92, bytes_out=1000, errors_5xx=1,
                                    edge_locations=[("NRT57-P1", 80), ("KIX56-C1", 20)]),
        site_probes=[SiteProbe(at=PERIOD.start, ok=True, status=200)],
    )  # fmt: skip
    r = _report(obs)
    s = r.services
    assert (s.compute.error_logs, s.compute.warning_logs) == (1, 2)
    assert s.entry_point.target_health_percent == 75.0
    # 2678.4 units over 744 h = 0.001 units/s of 100 units/s.
    assert s.data_store.read_capacity_percent == 0.001
    assert s.data_store.throttles == 1
    assert s.static_site.cache_hit_ratio_percent == 92.0
    assert s.static_site.origin_error_rate_percent == 1.0
    ja = render_markdown(r, "ja")
    assert "- **エッジロケーション**: 東京, 大阪" in ja
    assert "- **キャッシュヒット率**: 92%（目標: 90%以上）" in ja
    assert "- **警告ログ**: 2件" in ja
    assert "- **暗号化**: AES256" in ja


def test_unit_costs_carry_month_on_month_and_the_efficiency_kpi() -> None:
    now = Observations(period=PERIOD, source="test", traffic=_traffic(2000), probes=_probes(),
                       user_count=10)  # fmt: skip
    before = Observations(period=PERIOD.previous(), source="test", traffic=_traffic(1000),
                          user_count=10)  # fmt: skip
    r = _report(now, before)
    c = r.costs
    assert c.per_request_change_percent is not None
    assert c.per_request_change_percent < 0
    assert c.efficiency == "improved"
    kpi = next(k for k in r.kpis if k.id == "cost_efficiency")
    assert kpi.status is Status.MET
    assert c.cheapest_design is not None
    assert c.cheapest_design_saving_usd is not None
    assert c.headroom_usd is not None
    assert c.headroom_usd < 0  # an ALB alone is over $10
    ja = render_markdown(r, "ja")
    assert "| コスト効率性 | 改善 | 改善 |" in ja
    assert "予算超過" in ja


def test_closing_block_and_next_report_date() -> None:
    r = _report(Observations(period=PERIOD, source="test"), report={"approver": ""})
    assert r.closing.next_report_date.isoformat() == "2025-09-30"
    ja = render_markdown(r, "ja")
    assert "**次回報告予定**: 2025年9月30日" in ja
    assert "**承認者**: ＿" in ja
    named = _report(Observations(period=PERIOD, source="test"), report={"approver": "山田"})
    assert "**承認者**: 山田" in render_markdown(named, "ja")


def test_month_in_progress_is_labelled_with_hours_to_now() -> None:
    now = PERIOD.start + timedelta(days=10, hours=6)
    r = compute_report(Observations(period=PERIOD, source="test"), Settings(), previous=None,
                       now=now, prices=load_prices())  # fmt: skip
    assert r.period.in_progress
    assert r.period.elapsed_hours == 246.0
    ja = render_markdown(r, "ja")
    assert "月の途中" in ja
    assert "246.0時間" in ja
