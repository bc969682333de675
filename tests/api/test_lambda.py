"""The Lambda handler answers every route as the ASGI app does.

The same request script runs against the FastAPI app through TestClient and through
the Lambda handler (Mangum) with Function URL and HTTP API v2 events, each on its own
SQLite store in tmp; statuses, the headers clients rely on (ETag, Location, content
type) and bodies (ids and clock-dependent fields masked) must be equal. The handler's
own duties are tested too: telemetry written before it returns, the secrets read once
per cold start, requests without CloudFront's origin header refused.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from portfolio.api.app import create_app
from portfolio.api.lambda_app import (
    API_KEYS_SECRET_ENV,
    ORIGIN_SECRET_ENV,
    LambdaApp,
    build,
    cold_start,
)
from portfolio.config import Settings, TelemetrySettings
from portfolio.store.sqlite import SQLiteStore
from tests.conftest import READ_KEY, WRITE_KEY, make_settings

USERS = "/api/v1/users"
KEPT_HEADERS = ("etag", "location", "content-type", "www-authenticate", "cache-control")
VOLATILE = frozenset(
    {"id", "created_at", "updated_at", "generated_at", "instance", "uptime_s", "checked_at"}
    | {"start", "end", "latency_ms", "minute", "time"}  # the metrics' clock and timings
    | {"points"}  # per-minute series split where the run crosses a minute; summary compared
    | {"bytes_out"}  # answers carry uptimes and times whose lengths vary by a digit
)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def _mask(value: Any, ids: dict[str, str]) -> Any:
    """Ids become their order of appearance; clock-dependent fields become a marker."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                out[key] = ids.setdefault(item, f"id-{len(ids)}")
            elif key in VOLATILE:
                out[key] = "<volatile>"
            else:
                out[key] = _mask(item, ids)
        return out
    if isinstance(value, list):
        return [_mask(item, ids) for item in value]
    if isinstance(value, str):
        for real, alias in ids.items():
            value = value.replace(real, alias)
        return value
    return value


def _answer(status: int, headers: dict[str, str], raw: bytes, ids: dict[str, str]) -> Answer:
    try:
        body = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        body = raw.decode()
    masked = _mask(body, ids)  # first: the body names a new id before Location repeats it
    kept = {k: _mask(v, ids) for k, v in headers.items() if k in KEPT_HEADERS}
    if not raw:
        # Mangum labels an empty 204 as JSON where Starlette sends no type: no body, no
        # content to type, so clients see the same answer.
        kept.pop("content-type", None)
    return Answer(status, kept, masked)


Send = Callable[[str, str, dict[str, str], Any], Answer]


def _event(
    shape: str, method: str, path: str, headers: dict[str, str], body: bytes
) -> dict[str, Any]:
    raw_path, _, query = path.partition("?")
    http = {
        "method": method,
        "path": raw_path,
        "protocol": "HTTP/1.1",
        "sourceIp": "203.0.113.7",
        "userAgent": "test",
    }
    domain = (
        "abc123.lambda-url.ap-northeast-1.on.aws"
        if shape == "function-url"
        else "abc123.execute-api.ap-northeast-1.amazonaws.com"
    )
    route_key = "$default" if shape == "function-url" else "ANY /{proxy+}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": {"host": domain, **{k.lower(): v for k, v in headers.items()}},
        "requestContext": {
            "accountId": "anonymous" if shape == "function-url" else "123456789012",
            "apiId": "abc123",
            "domainName": domain,
            "domainPrefix": "abc123",
            "http": http,
            "requestId": "req-1",
            "routeKey": route_key,
            "stage": "$default",
            "time": "01/Dec/2026:00:00:00 +0000",
            "timeEpoch": 1_796_083_200_000,
        },
        "isBase64Encoded": False,
    }
    if shape == "http-api":
        event["pathParameters"] = {"proxy": raw_path.lstrip("/")}
    if body:
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    return event


def _lambda_sender(app: LambdaApp, shape: str, ids: dict[str, str]) -> Send:
    def send(method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        raw = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        if body is not None:
            headers = {**headers, "content-type": "application/json"}
        response = app(_event(shape, method, path, headers, raw), None)
        payload = response.get("body") or ""
        data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        got = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        return _answer(response["statusCode"], got, data, ids)

    return send


def _asgi_sender(client: TestClient, ids: dict[str, str]) -> Send:
    def send(method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        response = client.request(method, path, headers=headers, json=body)
        # What the Lambda handler does after each request, so /metrics reads the same rows.
        client.app.state.runtime.recorder.flush()  # type: ignore[attr-defined]
        return _answer(response.status_code, dict(response.headers), response.content, ids)

    return send


def _script(send: Send, ids: dict[str, str]) -> list[Answer]:
    """Every route: health, users CRUD with ETags and If-Match, metrics, status, errors."""
    writer = {"Authorization": f"Bearer {WRITE_KEY}"}
    reader = {"Authorization": f"Bearer {READ_KEY}"}
    answers = [send("GET", "/health", {}, None)]
    created = send("POST", USERS, writer, {"name": "Hanako", "email": "hanako@example.com"})
    answers.append(created)
    location = str(created.headers["location"])
    real_id = next(real for real, alias in ids.items() if location.endswith(alias))
    location = f"{USERS}/{real_id}"
    answers += [
        send("POST", USERS, reader, {"name": "Taro", "email": "taro@example.com"}),  # 403
        send("GET", f"{location}", reader, None),
        send("GET", f"{USERS}?limit=10", reader, None),
        send("PATCH", location, writer, {"title": "SRE"}),  # 428: no If-Match
        send("PATCH", location, {**writer, "If-Match": '"9"'}, {"title": "SRE"}),  # 412
        send("PATCH", location, {**writer, "If-Match": '"1"'}, {"title": "SRE"}),
        send("GET", location, reader, None),
        send("DELETE", location, {**writer, "If-Match": '"2"'}, None),
        send("GET", location, reader, None),  # 404
        send("GET", f"{USERS}/{real_id}x", reader, None),
        send("POST", USERS, writer, {"name": ""}),  # 422
        send("GET", USERS, {"Authorization": "Bearer wrong-key-0123456789"}, None),  # 401
        send("GET", "/api/v1/metrics?window=1h", reader, None),
        send("GET", "/api/v1/status", {}, None),
    ]
    return answers


PER_REQUEST_WRU = 9.8
"""Measured: 4.5 for the records, the rest their merges into the hour's packs."""


def _per_request(tmp_path: Path) -> Settings:
    """Telemetry written after every request, so a request's rows are read at once (the
    default, once a minute per instance, is tests/api/test_lambda_flush.py's)."""
    return make_settings(
        tmp_path,
        telemetry=TelemetrySettings(flush_interval_s=300, access_log=False, lambda_flush="request"),
    )


@pytest.fixture
def lambda_app(tmp_path: Path) -> LambdaApp:
    settings = _per_request(tmp_path / "lambda")
    (tmp_path / "lambda").mkdir()
    app = create_app(settings, store=SQLiteStore(tmp_path / "lambda.db"), configure_logs=False)
    return LambdaApp(app)


@pytest.mark.parametrize("shape", ["function-url", "http-api"])
def test_every_route_answers_as_the_asgi_app(
    shape: str, tmp_path: Path, lambda_app: LambdaApp
) -> None:
    asgi_store = SQLiteStore(tmp_path / "asgi.db")
    asgi = create_app(make_settings(tmp_path), store=asgi_store, configure_logs=False)
    asgi_ids: dict[str, str] = {}
    lambda_ids: dict[str, str] = {}
    with TestClient(asgi) as client:
        expected = _script(_asgi_sender(client, asgi_ids), asgi_ids)
    got = _script(_lambda_sender(lambda_app, shape, lambda_ids), lambda_ids)
    assert [a.status for a in expected] == [
        200, 201, 403, 200, 200, 428, 412, 200, 200, 204, 404, 404, 422, 401, 200, 200,
    ]  # fmt: skip
    for want, have in zip(expected, got, strict=True):
        assert have == want


def test_telemetry_is_written_before_the_handler_returns(lambda_app: LambdaApp) -> None:
    store = lambda_app.runtime.store
    send = _lambda_sender(lambda_app, "function-url", {})
    assert send("GET", "/health", {}, None).status == 200
    # No thread runs: what the store holds was written by the invocation itself.
    rollups = list(store.read_rollups(0, 2**31, resolution="minute"))
    assert sum(r.count for r in rollups if r.endpoint == "/health") == 1
    assert sum(r.count for r in store.read_rollups(0, 2**31, resolution="hour")) == 1
    assert lambda_app.runtime.recorder._thread is None


def test_secrets_are_read_once_per_cold_start(tmp_path: Path) -> None:
    reads: list[str] = []
    secrets = {"keys-arn": f"{WRITE_KEY},{READ_KEY}:ro", "origin-arn": "origin-value-0123"}

    def reader(secret_id: str) -> str:
        reads.append(secret_id)
        return secrets[secret_id]

    environ = {
        API_KEYS_SECRET_ENV: "keys-arn",
        ORIGIN_SECRET_ENV: "origin-arn",
        "PORTFOLIO_STORE__SQLITE_PATH": str(tmp_path / "cold.db"),
        "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/12/01/[$LATEST]0123456789abcdef",
    }
    started = cold_start(environ, reader)
    assert [k.secret for k in started.settings.parsed_api_keys()] == [WRITE_KEY, READ_KEY]
    assert started.settings.task_id == "lambda-0123456789abcdef"
    app = build(environ, reader)
    assert reads == ["keys-arn", "origin-arn"] * 2  # once per build, i.e. per cold start
    send = _lambda_sender(app, "function-url", {})
    before = len(reads)
    # Without CloudFront's header: refused before the app; with it: served, no new read.
    assert send("GET", "/health", {}, None).status == 403
    answer = send("GET", f"{USERS}", {"X-Origin-Verify": "origin-value-0123", **_bearer()}, None)
    assert answer.status == 200
    assert len(reads) == before


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {WRITE_KEY}"}


ORIGINAL_MIX = (
    # The original's mix (simulate/scenarios.py): health 45 %, users 25 %, metrics 20 %, rest.
    ("GET", "/health", 45),
    ("GET", USERS, 10),
    ("GET", "{user}", 12),
    ("POST", USERS, 2),
    ("PATCH", "{user}", 1),
    ("GET", "/api/v1/metrics?window=1h", 20),
    ("GET", "/api/v1/status", 5),
    ("GET", "/nowhere", 5),
)


@pytest.mark.slow
def test_telemetry_writes_per_request_on_dynamodb_local(tmp_path: Path) -> None:
    """WRU the per-invocation flush costs (lambda_flush=request), measured.

    Requests of the original's mix go through the handler onto DynamoDB Local; every
    write's consumed capacity on the metrics table (telemetry only) is summed from the
    responses. ``pytest -s`` prints it.
    """
    from portfolio.store.dynamodb import DynamoDBStore
    from tests.dynamodb_local import dynamodb_store

    stores = dynamodb_store(tmp_path)
    store = next(stores)
    try:
        assert isinstance(store, DynamoDBStore)
        app = LambdaApp(create_app(_per_request(tmp_path), store=store, configure_logs=False))
        units: list[float] = []

        def count(parsed: dict[str, Any], **_: Any) -> None:
            consumed = parsed.get("ConsumedCapacity")
            entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
            units.extend(
                float(c.get("CapacityUnits", 0.0))
                for c in entries
                if str(c.get("TableName", "")).endswith("portfolio-metrics")
            )

        events = store._client.meta.events
        writes = ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems")
        for operation in writes:
            events.register(f"after-call.dynamodb.{operation}", count)
        send = _lambda_sender(app, "function-url", {})
        writer = {"Authorization": f"Bearer {WRITE_KEY}"}
        user = send("POST", USERS, writer, {"name": "Hanako", "email": "h@example.com"})
        location = str(user.headers["location"])
        units.clear()
        requests = 0
        version = 1
        for _round in range(3):
            for method, path, weight in ORIGINAL_MIX:
                for _ in range(weight):
                    target = location if path == "{user}" else path
                    headers = dict(writer)
                    body: Any = None
                    if method == "POST":
                        body = {"name": "Taro", "email": f"t{requests}@example.com"}
                    if method == "PATCH":
                        headers["If-Match"] = f'"{version}"'
                        body = {"title": f"SRE {requests}"}
                        version += 1
                    assert send(method, target, headers, body).status < 500
                    requests += 1
        for operation in writes:
            events.unregister(f"after-call.dynamodb.{operation}", count)
        per_request = sum(units) / requests
        print(f"\ntelemetry WRU per Lambda request: {per_request:.2f} over {requests} requests")
        # The figure the estimator's description quotes for the per-request cadence (the
        # default, once a minute per instance, is measured in test_lambda_flush.py).
        assert per_request == pytest.approx(PER_REQUEST_WRU, rel=0.1), per_request
    finally:
        next(stores, None)  # drops the tables


def test_a_scheduler_event_runs_the_named_ops_job_not_a_request(lambda_app: LambdaApp) -> None:
    from portfolio.errors import ConfigError

    # The registry refuses an unknown name: the event reached the jobs, not the app.
    with pytest.raises(ConfigError):
        lambda_app({"ops": "no-such-job"}, None)


def test_a_state_machine_event_runs_a_restore_step_or_hands_the_results_to_the_job(
    lambda_app: LambdaApp,
) -> None:
    from portfolio.errors import ConfigError

    # The steps refuse an unknown step: the event reached them, not the app.
    with pytest.raises(ConfigError, match="unknown restore step"):
        lambda_app({"restore_step": "restart", "table": "t", "at": "2025-08-31T01:00:00Z"}, None)
    # The monthly job's event carries the machine's results; malformed ones are refused
    # before any job runs.
    with pytest.raises(ConfigError, match="restore_tests"):
        lambda_app({"ops": "monthly", "restore_tests": "not a list"}, None)
