"""Weekly performance review (週次点検): latency, errors and headroom against targets."""

from __future__ import annotations

from portfolio.checks.base import (
    ORIGINAL_ONLY,
    Kind,
    Outcome,
    Severity,
    check,
    fail,
    no_data,
    passed,
    warn,
)
from portfolio.checks.snapshot import Utilisation, WeeklySnapshot

RISE_WARN_PCT = 20.0
RISE_FAIL_PCT = 50.0
SLOWEST_SHOWN = 3
MIN_ENDPOINT_REQUESTS = 20
"""Endpoints with fewer requests in the week have no meaningful p95."""


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} ms"


@check(
    "perf_latency_target",
    Kind.WEEKLY,
    Severity.HIGH,
    title=("応答時間 (平均・p95・p99) と目標値", "Latency (avg, p95, p99) against the target"),
    risk=(
        "応答時間の目標 (KPI) を満たしていない。",
        "The response-time target (a KPI of the monthly report) is not met.",
    ),
    remediation=(
        "遅いエンドポイントとピーク時間帯を特定し、ストアの呼び出し回数・サイズを見直す。"
        "CPU が高ければタスクを増やす (オートスケーリングの閾値を確認)。",
        "Find the slow endpoints and peak hours; reduce store calls and payload sizes;"
        " if CPU is high, add tasks (check the autoscaling threshold).",
    ),
)
def perf_latency_target(s: WeeklySnapshot) -> Outcome:
    w = s.this_week
    if w is None or not w.requests:
        return warn("No requests measured this week.")
    text = (
        f"avg {_ms(w.avg_ms)}, p95 {_ms(w.p95_ms)}, p99 {_ms(w.p99_ms)} over {w.requests}"
        f" requests (target {s.latency_target_ms:.0f} ms)."
    )
    if w.avg_ms is not None and w.avg_ms > s.latency_target_ms:
        return fail(text)
    if w.p95_ms is not None and w.p95_ms > s.latency_target_ms:
        return warn(text)
    return passed(text)


@check(
    "perf_latency_trend",
    Kind.WEEKLY,
    Severity.MEDIUM,
    title=("応答時間の前週比", "Latency compared with last week"),
    risk=(
        "応答時間が悪化傾向にあり、目標超過が近い。",
        "Latency is rising and will soon break the target.",
    ),
    remediation=(
        "前週以降のデプロイ・設定変更・データ量の増加を確認し、原因となった変更を特定する。",
        "List the deployments, configuration changes and data growth since last week and"
        " find the change that caused it.",
    ),
)
def perf_latency_trend(s: WeeklySnapshot) -> Outcome:
    now, before = s.this_week, s.last_week
    if now is None or now.p95_ms is None:
        return warn("No latency measured this week.")
    if before is None or before.p95_ms is None or before.p95_ms == 0:
        return no_data(f"p95 {_ms(now.p95_ms)} this week; no previous week to compare with.")
    change = 100 * (now.p95_ms - before.p95_ms) / before.p95_ms
    text = f"p95 {_ms(now.p95_ms)} vs {_ms(before.p95_ms)} last week ({change:+.1f} %)."
    if change > RISE_FAIL_PCT:
        return fail(text)
    if change > RISE_WARN_PCT:
        return warn(text)
    return passed(text)


@check(
    "perf_error_rate",
    Kind.WEEKLY,
    Severity.HIGH,
    title=("エラー率 (5xx) の目標値と前週比", "5xx error rate against the target and last week"),
    risk=(
        "エラー率の目標 (KPI) を満たしていない。",
        "The error-rate target (a KPI of the monthly report) is not met.",
    ),
    remediation=(
        "5xx の多いエンドポイントと時間帯を特定し、インシデントとして記録・原因分析する。",
        "Find the endpoints and hours with 5xx, record them as incidents and find the cause.",
    ),
)
def perf_error_rate(s: WeeklySnapshot) -> Outcome:
    w = s.this_week
    if w is None or w.error_rate_pct is None:
        return warn("No requests measured this week.")
    last = s.last_week.error_rate_pct if s.last_week else None
    last_text = "n/a" if last is None else f"{last:.3f} %"
    text = (
        f"{w.error_rate_pct:.3f} % 5xx this week (last week {last_text},"
        f" target {s.error_rate_target_pct} %)."
    )
    if w.error_rate_pct > s.error_rate_target_pct:
        return fail(text)
    if w.error_rate_pct > s.error_rate_target_pct / 2:
        return warn(text)
    return passed(text)


@check(
    "perf_cpu_headroom",
    Kind.WEEKLY,
    Severity.MEDIUM,
    title=("CPU 使用率の余裕", "CPU headroom"),
    risk=(
        "CPU が飽和し、ピーク時に応答時間が悪化する。",
        "CPU saturates and latency degrades at peak.",
    ),
    remediation=(
        "オートスケーリング (CPU 目標値) の動作を確認し、必要ならタスクの CPU を増やす。",
        "Check target-tracking autoscaling on CPU acted; give the task more CPU if needed.",
    ),
    designs=ORIGINAL_ONLY,
)
def perf_cpu_headroom(s: WeeklySnapshot) -> Outcome:
    return _headroom("CPU", s.cpu, s.utilisation_target_pct)


@check(
    "perf_memory_headroom",
    Kind.WEEKLY,
    Severity.MEDIUM,
    title=("メモリ使用率の余裕", "Memory headroom"),
    risk=(
        "メモリ不足でタスクが強制終了 (OutOfMemory) する。",
        "Tasks get killed for running out of memory.",
    ),
    remediation=(
        "メモリの増加傾向 (リーク) を確認し、タスクのメモリを増やすか原因を修正する。",
        "Look for steady growth (a leak); fix it or give the task more memory.",
    ),
    designs=ORIGINAL_ONLY,
)
def perf_memory_headroom(s: WeeklySnapshot) -> Outcome:
    return _headroom("Memory", s.memory, s.utilisation_target_pct)


def _headroom(what: str, u: Utilisation | None, target: float) -> Outcome:
    if u is None:
        return warn(f"{what} utilisation was not measured this week.")
    text = f"{what} avg {u.avg_pct:.1f} %, max {u.max_pct:.1f} % (target {target:.0f} %)."
    if u.avg_pct > target:
        return fail(text)
    if u.max_pct > target:
        return warn(text)
    return passed(text)


@check(
    "perf_slowest_endpoints",
    Kind.WEEKLY,
    Severity.LOW,
    title=("遅いエンドポイント (p95 上位)", "The slowest endpoints (by p95)"),
    risk=(
        "一部のエンドポイントだけが遅く、平均値に隠れている。",
        "A few endpoints are slow and hidden in the average.",
    ),
    remediation=(
        "該当エンドポイントのストア呼び出し (件数、ページサイズ、インデックス) を見直す。",
        "Review that endpoint's store calls (count, page size, index use).",
    ),
    designs=ORIGINAL_ONLY,
)
def perf_slowest_endpoints(s: WeeklySnapshot) -> Outcome:
    if s.endpoints is None:
        return warn("Per-endpoint latency is not observable on this target (use access logs).")
    ranked = sorted(
        (e for e in s.endpoints if e.requests >= MIN_ENDPOINT_REQUESTS and e.p95_ms is not None),
        key=lambda e: -(e.p95_ms or 0.0),
    )
    if not ranked:
        return passed("No endpoint had enough requests this week to rank.")
    top = ranked[:SLOWEST_SHOWN]
    text = "slowest p95: " + ", ".join(f"{e.endpoint} {_ms(e.p95_ms)}" for e in top) + "."
    worst = top[0].p95_ms or 0.0
    if worst > 2 * s.latency_target_ms:
        return fail(text)
    if worst > s.latency_target_ms:
        return warn(text)
    return passed(text)
