"""Daily health checks (日次点検): is the service answering, on enough healthy tasks?"""

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
from portfolio.checks.snapshot import DailySnapshot

ERROR_LOG_FAIL_FACTOR = 5
"""Error log lines above this many times the error-rate allowance fail the check."""


@check(
    "health_endpoint",
    Kind.DAILY,
    Severity.CRITICAL,
    title=(
        "ヘルスチェックエンドポイント (/health) の応答",
        "/health answers through the entry point",
    ),
    risk=(
        "サービスが利用者に応答していない、またはストアに到達できない。",
        "The service is not answering its users, or cannot reach its store.",
    ),
    remediation=(
        "ECS サービスのイベントとタスクのログ (/ecs/portfolio-api) を確認し、"
        "ストア (DynamoDB) への到達性とタスクロールを確認する。必要ならサービスを再デプロイする。",
        "Read the ECS service events and the task logs (/ecs/portfolio-api); check the store"
        " (DynamoDB) is reachable with the task role; redeploy the service if needed.",
    ),
)
def health_endpoint(s: DailySnapshot) -> Outcome:
    h = s.health
    if h is None:
        return warn("/health was not probed: the entry point's address is unknown.")
    if not h.ok:
        return fail(f"/health did not answer 200 (status {h.status}; {h.detail or 'no body'}).")
    if h.latency_ms is not None and h.latency_ms > s.latency_target_ms:
        return warn(
            f"/health answered 200 but took {h.latency_ms:.0f} ms"
            f" (target {s.latency_target_ms:.0f} ms)."
        )
    latency = "" if h.latency_ms is None else f" in {h.latency_ms:.0f} ms"
    return passed(f"/health answered 200{latency}.")


@check(
    "health_targets",
    Kind.DAILY,
    Severity.HIGH,
    title=("ターゲットのヘルス状態", "Load balancer targets are healthy"),
    risk=(
        "異常なターゲットにリクエストが振り分けられず、冗長性が失われている。",
        "Unhealthy targets take no traffic: the service has lost its redundancy.",
    ),
    remediation=(
        "ターゲットグループのヘルスチェック理由 (Target.ResponseCodeMismatch 等) を確認し、"
        "該当タスクのログを調べる。"
        "セキュリティグループが ALB からの 8000 番を許可しているか確認する。",
        "Read the target group's health reasons (Target.ResponseCodeMismatch, ...) and the"
        " failing task's logs; check the tasks' security group admits port 8000 from the ALB.",
    ),
    designs=ORIGINAL_ONLY,
)
def health_targets(s: DailySnapshot) -> Outcome:
    t = s.targets
    if t is None:
        return warn("Target health was not observed on this target.")
    if t.total == 0 or t.healthy == 0:
        return fail(f"No healthy targets ({t.healthy} of {t.total}; {t.basis}).")
    if t.healthy < t.total:
        return warn(f"{t.healthy} of {t.total} targets healthy ({t.basis}).")
    return passed(f"All {t.total} targets healthy ({t.basis}).")


@check(
    "health_tasks",
    Kind.DAILY,
    Severity.HIGH,
    title=("実行中タスク数と必要数", "Running tasks match the desired count"),
    risk=(
        "タスク数が不足し、1 タスクの障害でサービスが停止しうる。",
        "Too few tasks: one more failure takes the service down.",
    ),
    remediation=(
        "ECS サービスのイベント (停止理由、デプロイのロールバック) を確認する。"
        "メモリ不足 (OutOfMemory) なら タスクサイズを見直す。",
        "Read the ECS service events (stopped reasons, rolled-back deployments); if tasks"
        " stop with OutOfMemory, resize the task definition.",
    ),
    designs=ORIGINAL_ONLY,
)
def health_tasks(s: DailySnapshot) -> Outcome:
    t = s.tasks
    if t is None and s.health is not None and not s.health.ok:
        return fail("No task has reported in the last 24 hours and /health does not answer.")
    if t is None:
        return no_data("no task has reported a resource sample in the last 24 hours.")
    if t.running == 0:
        return fail(f"No tasks running ({t.desired} desired).")
    if t.running < t.desired:
        return warn(f"{t.running} of {t.desired} desired tasks running.")
    return passed(f"{t.running} tasks running ({t.desired} desired).")


@check(
    "health_recent_5xx",
    Kind.DAILY,
    Severity.HIGH,
    title=("直近 24 時間の 5xx エラー率", "5xx error rate of the last 24 hours"),
    risk=(
        "利用者にサーバーエラーが返っている。エラー予算を消費する。",
        "Users are getting server errors; the error budget is being spent.",
    ),
    remediation=(
        "エラーログを時刻で絞り込み、5xx が集中したエンドポイントと時刻を特定する。"
        "ストアのスロットリングや依存先の障害を確認し、インシデントとして記録する。",
        "Narrow the error logs to the hours with 5xx and find the endpoint; check store"
        " throttling and dependencies; record an incident (`portfolio incident add`).",
    ),
    designs=ORIGINAL_ONLY,
)
def health_recent_5xx(s: DailySnapshot) -> Outcome:
    if s.requests is None or s.errors_5xx is None:
        return warn("Request counts were not observed on this target.")
    if s.requests == 0:
        return passed(f"No requests in the last {s.window_hours:.0f} h, so no 5xx.")
    rate = 100 * s.errors_5xx / s.requests
    text = (
        f"{s.errors_5xx} of {s.requests} requests answered 5xx in the last"
        f" {s.window_hours:.0f} h ({rate:.3f} %, target {s.error_rate_target_pct} %)."
    )
    return grade_error_rate(rate, s.error_rate_target_pct, text)


def grade_error_rate(rate_pct: float, target_pct: float, text: str) -> Outcome:
    """FAIL over the target, WARN over half of it (the budget is going fast), else PASS."""
    if rate_pct > target_pct:
        return fail(text)
    if rate_pct > target_pct / 2:
        return warn(text)
    return passed(text)


@check(
    "health_error_logs",
    Kind.DAILY,
    Severity.MEDIUM,
    title=("エラーログの件数", "Error log lines of the last 24 hours"),
    risk=(
        "応答は成功していても内部でエラーが起きている (再試行、部分的な失敗)。",
        "Requests may succeed while errors happen inside (retries, partial failures).",
    ),
    remediation=(
        "CloudWatch Logs Insights で level=ERROR を集計し、最も多いメッセージから対処する。",
        "Group the ERROR lines in CloudWatch Logs Insights by message and fix the most"
        " frequent first.",
    ),
)
def health_error_logs(s: DailySnapshot) -> Outcome:
    if s.error_log_lines is None:
        return warn("Error log lines were not observed on this target.")
    allowance = s.error_rate_target_pct / 100 * (s.requests or 0)
    text = (
        f"{s.error_log_lines} ERROR lines in the last {s.window_hours:.0f} h"
        f" (allowance {allowance:.0f}: the error-rate target × requests)."
    )
    if s.error_log_lines > ERROR_LOG_FAIL_FACTOR * max(allowance, 1):
        return fail(text)
    if s.error_log_lines > allowance:
        return warn(text)
    return passed(text)
