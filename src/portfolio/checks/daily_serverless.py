"""Daily checks of the serverless design (日次点検): is the API function up and unthrottled?

They stand where the original design's task and target checks stand: the function is
the compute, CloudWatch's AWS/Lambda metrics of the last day are its health.
"""

from __future__ import annotations

from portfolio.checks.base import (
    SERVERLESS_ONLY,
    Kind,
    Outcome,
    Severity,
    check,
    fail,
    passed,
    warn,
)
from portfolio.checks.daily import grade_error_rate
from portfolio.checks.snapshot import DailySnapshot

ACTIVE = "Active"
FAILED_UPDATE = "Failed"
CONCURRENCY_WARN_SHARE = 0.8
"""A peak above this share of the concurrency limit warns: the next spike is throttled."""


@check(
    "function_active",
    Kind.DAILY,
    Severity.CRITICAL,
    title=("API 関数の存在と状態 (Active)", "The API function exists and is Active"),
    risk=(
        "API の Lambda 関数が存在しない、または呼び出せない状態で、利用者に応答できない。",
        "The API's Lambda function is missing or cannot be invoked: users get no answer.",
    ),
    remediation=(
        "Lambda コンソールで関数の State と LastUpdateStatus の理由を確認し、"
        "`cdk deploy -c design=serverless` で再デプロイする。",
        "Read the function's State and LastUpdateStatus reasons in the Lambda console;"
        " redeploy with `cdk deploy -c design=serverless`.",
    ),
    designs=SERVERLESS_ONLY,
)
def function_active(s: DailySnapshot) -> Outcome:
    f = s.function
    if f is None:
        return warn("The API function was not observed on this target.")
    if f.state is None:
        return fail(f"The API function {f.name} does not exist.")
    if f.state != ACTIVE:
        return fail(f"The API function {f.name} is {f.state}, not {ACTIVE}.")
    if f.last_update == FAILED_UPDATE:
        return warn(f"{f.name} is {ACTIVE} but its last update failed (old code still runs).")
    return passed(f"{f.name} is {ACTIVE}.")


@check(
    "function_errors",
    Kind.DAILY,
    Severity.HIGH,
    title=("API 関数のエラー率 (直近 24 時間)", "API function error rate of the last 24 hours"),
    risk=(
        "関数が例外終了やタイムアウトで失敗し、利用者にエラーが返っている。",
        "Invocations end in an unhandled error or a timeout: users get errors.",
    ),
    remediation=(
        "/aws/lambda/portfolio-api-* のログで ERROR と Task timed out を探し、"
        "タイムアウトならストア (DynamoDB) の応答とメモリ設定を確認する。",
        "Search the /aws/lambda/portfolio-api-* logs for ERROR and 'Task timed out'; on"
        " timeouts check the store (DynamoDB) latency and the function's memory size.",
    ),
    designs=SERVERLESS_ONLY,
)
def function_errors(s: DailySnapshot) -> Outcome:
    f = s.function
    if f is None or f.state is None:
        return warn("The API function's invocations were not observed on this target.")
    if f.invocations == 0:
        return passed(f"No invocations in the last {s.window_hours:.0f} h, so no errors.")
    rate = 100 * f.errors / f.invocations
    text = (
        f"{f.errors} of {f.invocations} invocations failed in the last {s.window_hours:.0f} h"
        f" ({rate:.3f} %, target {s.error_rate_target_pct} %)."
    )
    return grade_error_rate(rate, s.error_rate_target_pct, text)


@check(
    "function_throttles",
    Kind.DAILY,
    Severity.HIGH,
    title=("API 関数のスロットリング", "API function throttles of the last 24 hours"),
    risk=(
        "同時実行数の上限で呼び出しが拒否され、利用者に 429/503 が返っている。",
        "Invocations were refused at the concurrency limit: users got 429/503.",
    ),
    remediation=(
        "ConcurrentExecutions のピーク時刻のリクエストを調べ (攻撃・暴走か)、"
        "正当な負荷ならリザーブド同時実行数またはアカウントの上限を引き上げる。",
        "Look at the requests around the ConcurrentExecutions peak (an attack or a runaway"
        " client?); for genuine load raise the reserved or the account concurrency.",
    ),
    designs=SERVERLESS_ONLY,
)
def function_throttles(s: DailySnapshot) -> Outcome:
    f = s.function
    if f is None or f.state is None:
        return warn("The API function's throttles were not observed on this target.")
    text = f"{f.throttles} throttled of {f.invocations + f.throttles} invocation attempts."
    if f.throttles == 0:
        return passed(f"No throttles in the last {s.window_hours:.0f} h.")
    # A throttle is a refused request: within the error budget it warns, beyond it fails.
    share = 100 * f.throttles / (f.invocations + f.throttles)
    return fail(text) if share > s.error_rate_target_pct else warn(text)


@check(
    "function_concurrency",
    Kind.DAILY,
    Severity.MEDIUM,
    title=("同時実行数の余裕", "Concurrency headroom of the API function"),
    risk=(
        "同時実行数が上限に近く、次の負荷の山でスロットリングが始まる。",
        "Concurrency runs close to its limit: the next spike is throttled.",
    ),
    remediation=(
        "ピークの原因 (遅い応答で実行時間が延びていないか) を確認し、"
        "必要ならリザーブド同時実行数またはアカウントの上限を引き上げる。",
        "Find why the peak was high (slow answers make executions overlap); raise the"
        " reserved or the account concurrency if the load is genuine.",
    ),
    designs=SERVERLESS_ONLY,
)
def function_concurrency(s: DailySnapshot) -> Outcome:
    f = s.function
    if f is None or f.state is None:
        return warn("The API function's concurrency was not observed on this target.")
    if f.concurrency_limit is None:
        return warn(f"The concurrency limit could not be read ({f.limit_basis}).")
    if f.concurrency_limit == 0:
        return fail(f"No concurrency left for {f.name} ({f.limit_basis} is 0): every call fails.")
    if f.peak_concurrency is None:
        return passed(
            f"No executions in the last {s.window_hours:.0f} h"
            f" (limit {f.concurrency_limit}, {f.limit_basis})."
        )
    text = (
        f"Peak {f.peak_concurrency} concurrent executions of {f.concurrency_limit}"
        f" ({f.limit_basis})."
    )
    if f.peak_concurrency >= f.concurrency_limit:
        return fail(text)
    if f.peak_concurrency >= CONCURRENCY_WARN_SHARE * f.concurrency_limit:
        return warn(text)
    return passed(text)
