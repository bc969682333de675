"""The API on AWS Lambda: the same FastAPI app behind Mangum, plus the ops jobs.

What differs from a long-running server, and why:

- **No background threads.** Lambda freezes the environment between invocations, so
  the recorder's flush thread and the resource sampler are never started. Telemetry
  is written *before the response completes*, once a minute per instance: the first
  invocation of each new minute writes the minutes that closed (rollups, their hours so
  far, the store's call statistics, log counts), then returns the response to Lambda.
  A probe's request so costs no write of its own (Route 53's ~1.3M checks a month at
  ~9.8 write units each would have broken the $10 budget); the price is the open minute
  of an instance recycled without another invocation, and telemetry up to a minute
  late. ``PORTFOLIO_TELEMETRY__LAMBDA_FLUSH=request`` writes after every request
  instead. The cost estimate counts the writes per instance-minute
  (``lambda_telemetry_writes_per_instance_minute``).
- **No in-process prober.** The Route 53 outside check measures availability.
- **Secrets read once per cold start.** The API keys and the origin-verify value come
  from Secrets Manager when the module's handler first runs, and are cached for the
  environment's life (rotating either takes effect as environments are replaced, or at
  once with a new deployment).
- **Only CloudFront reaches it.** The Function URL is public by design (CloudFront's
  origin access control cannot sign request bodies for POST/PATCH), so the handler
  refuses, with 403, any request without CloudFront's origin-verify header, as the
  original's load balancer rule does.
- **Lifespan off.** Mangum would run the app's lifespan on every invocation (start and
  stop the recorder, close the store); the store stays open for the environment's life.

An event with an ``ops`` key (EventBridge Scheduler's input) runs that scheduled job in
the same package, instead of an HTTP request.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from portfolio.api.app import create_app
from portfolio.api.runtime import Runtime
from portfolio.config import OPS_BUCKET_ENV, OPS_TOPIC_ENV, Settings
from portfolio.store import open_store

log = logging.getLogger(__name__)

API_KEYS_SECRET_ENV = "PORTFOLIO_API_KEYS_SECRET_ID"  # noqa: S105 - a variable name
"""The Secrets Manager secret holding PORTFOLIO_API_KEYS (the stack sets its ARN)."""
ORIGIN_SECRET_ENV = "PORTFOLIO_ORIGIN_SECRET_ID"  # noqa: S105 - a variable name
"""The secret CloudFront's origin-verify header must equal (unset: no check, e.g. tests)."""
ORIGIN_HEADER = "x-origin-verify"
OPS_KEY = "ops"
"""Scheduler's input ``{"ops": "daily"}`` runs that job instead of serving a request."""
RESTORE_STEP_KEY = "restore_step"
"""The monthly state machine's restore steps (``portfolio.checks.restore_steps``)."""
RESULTS_KEY = "restore_tests"
"""The state machine's restore results, handed to the monthly job with ``ops``."""

SecretReader = Callable[[str], str]


def read_secret(secret_id: str) -> str:
    """A secret's string from Secrets Manager (boto3 imported here: cold start only)."""
    import boto3

    client = boto3.client("secretsmanager")
    value: str = client.get_secret_value(SecretId=secret_id)["SecretString"]
    return value


@dataclass(frozen=True, slots=True)
class ColdStart:
    """What one execution environment reads once: settings (API keys in) and origin secret."""

    settings: Settings
    origin_secret: str | None


def cold_start(
    environ: Mapping[str, str] | None = None, reader: SecretReader = read_secret
) -> ColdStart:
    """Settings from the environment, with the API keys read from their secret once."""
    environ = os.environ if environ is None else environ
    overrides: dict[str, Any] = {}
    keys_secret = environ.get(API_KEYS_SECRET_ENV)
    if keys_secret and not environ.get("PORTFOLIO_API_KEYS"):
        overrides["api_keys"] = reader(keys_secret)
    # One task id per execution environment: its log stream names it uniquely.
    stream = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
    if stream and not environ.get("PORTFOLIO_TASK_ID"):
        overrides["task_id"] = f"lambda-{stream.rsplit(']', 1)[-1][:32]}"
    origin_secret_id = environ.get(ORIGIN_SECRET_ENV)
    origin_secret = reader(origin_secret_id) if origin_secret_id else None
    return ColdStart(settings=Settings(**overrides), origin_secret=origin_secret)


_FORBIDDEN = {
    "statusCode": 403,
    "headers": {"content-type": "text/plain"},
    "body": "forbidden: use the site's address",
    "isBase64Encoded": False,
}


class LambdaApp:
    """One execution environment's app: Mangum over the FastAPI app, flushed per request."""

    def __init__(self, app: FastAPI, *, origin_secret: str | None = None) -> None:
        self.app = app
        self.origin_secret = origin_secret
        self.adapter = Mangum(app, lifespan="off")
        self.runtime: Runtime = app.state.runtime

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if RESTORE_STEP_KEY in event:
            return run_restore_step(event, self.runtime.settings)
        if OPS_KEY in event:
            return run_ops_job(
                str(event[OPS_KEY]), self.runtime.settings, restore_tests=event.get(RESULTS_KEY)
            )
        if not self._from_cloudfront(event):
            return dict(_FORBIDDEN)
        try:
            response: dict[str, Any] = self.adapter(event, context)
        finally:
            # Before Lambda gets the response: the environment may be frozen right after.
            if self.runtime.settings.telemetry.lambda_flush == "request":
                self.runtime.recorder.flush()
            else:
                self.runtime.recorder.flush_closed_minutes()
        return response

    def _from_cloudfront(self, event: Mapping[str, Any]) -> bool:
        if self.origin_secret is None:
            return True
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        presented = headers.get(ORIGIN_HEADER, "")
        return hmac.compare_digest(presented.encode(), self.origin_secret.encode())


def run_restore_step(event: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """One step of the serverless monthly state machine's restore test."""
    from portfolio.checks.restore_steps import run_step
    from portfolio.cloud import Aws

    return run_step(event, Aws(settings, None).client("dynamodb"))


def run_ops_job(
    name: str,
    settings: Settings,
    environ: Mapping[str, str] | None = None,
    restore_tests: Any = None,
) -> dict[str, Any]:
    """``portfolio ops run NAME`` inside the function: the same job, its outcome as JSON.

    ``restore_tests``: the restore results the monthly state machine found (then the
    monthly job reports them instead of restoring inside Lambda's time limit).
    Imported here: an API cold start never loads the checks and the report builder.
    """
    from portfolio.checks.run import CheckContext
    from portfolio.cloud import Aws
    from portfolio.scheduled.deliver import Delivery
    from portfolio.scheduled.jobs import JobContext, run_job

    environ = os.environ if environ is None else environ
    results = None
    if restore_tests is not None:
        from portfolio.checks.restore_steps import results_from_event

        results = tuple(results_from_event(restore_tests))
    store = open_store(settings)
    try:
        outcome = run_job(
            name,
            JobContext(
                checks=CheckContext(settings=settings, store=store, restore_results=results),
                delivery=Delivery(
                    Aws(settings, None), environ.get(OPS_BUCKET_ENV), environ.get(OPS_TOPIC_ENV)
                ),
                now=datetime.now(UTC),
            ),
        )
    finally:
        store.close()
    result = {
        "job": outcome.job,
        "passed": outcome.passed,
        "keys": outcome.keys,
        "error": outcome.error,
    }
    log.info("ops job finished: %s", json.dumps(result))
    return result


def build(
    environ: Mapping[str, str] | None = None, reader: SecretReader = read_secret
) -> LambdaApp:
    """The environment's app, built once per cold start."""
    started = cold_start(environ, reader)
    return LambdaApp(create_app(started.settings), origin_secret=started.origin_secret)


_instance: LambdaApp | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda's entry point (``portfolio.api.lambda_app.handler``)."""
    global _instance  # one app per execution environment, built on first use
    if _instance is None:
        _instance = build()
    return _instance(event, context)
