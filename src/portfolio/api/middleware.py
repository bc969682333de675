"""The API's edge: one pure-ASGI layer for what every request passes through.

Limits on headers (431) and bodies (413), the request id, the security headers and
the request's telemetry (a rollup per endpoint template and one JSON access-log line)
used to be four middleware classes. Each wrapped ``send`` and scanned the request's
headers again: on ``/health``, the load balancer's most frequent request, the four
layers cost more than the route. One layer reads the headers once, wraps ``send``
once, and keeps each concern in its own small function below.

Pure ASGI (not BaseHTTPMiddleware) because it runs on every request and the
throughput of /health is part of the budget.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portfolio.names import (
    OUTSIDE_PROBE_ENDPOINT,
    OUTSIDE_PROBE_USER_AGENT,
    SCANNER_ENDPOINT,
    UNMATCHED_ENDPOINT,
)
from portfolio.security_rules import is_scanner_path
from portfolio.telemetry.logs import JsonLineWriter
from portfolio.telemetry.recorder import Recorder

ContentSecurityPolicy = Callable[[str], bytes]
"""The Content-Security-Policy of the page family at a path (the API, /docs, the site)."""

HSTS = b"max-age=31536000; includeSubDomains"
BASE_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """What a request may send: header count and bytes (431), body bytes (413)."""

    max_header_count: int
    max_header_bytes: int
    max_body_bytes: int


@dataclass(slots=True)
class RequestHeaders:
    """The headers the edge needs, read in one pass over the request's headers."""

    count: int = 0
    size: int = 0
    content_length: str | None = None
    request_id: str | None = None
    forwarded_proto: str | None = None
    authorization: str | None = None
    user_agent: str | None = None


_WANTED = {
    b"content-length": "content_length",
    b"x-request-id": "request_id",
    b"x-forwarded-proto": "forwarded_proto",
    b"authorization": "authorization",
    b"user-agent": "user_agent",
}
NO_STORE = (b"cache-control", b"no-store")
"""On every answer to a keyed request: it may carry emails, which no cache may keep."""


def read_headers(scope: Scope) -> RequestHeaders:
    seen = RequestHeaders()
    size = 0
    for key, value in scope.get("headers", ()):
        size += len(key) + len(value) + 4
        field = _WANTED.get(key)
        if field is not None:
            setattr(seen, field, value.decode("latin-1"))
    seen.count = len(scope.get("headers", ()))
    seen.size = size
    return seen


@dataclass(slots=True)
class Exchange:
    """What the edge learns while the request runs: the status, bytes each way."""

    status: int = 500
    started: bool = False
    bytes_in: int = 0
    bytes_out: int = 0


REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""What a client's X-Request-Id may be to be echoed and logged; anything else is replaced."""

_PROCESS_ID = secrets.token_hex(8)
_SEQUENCE = itertools.count()


def new_request_id() -> str:
    """32 hex digits: this process's random half, then its request counter.

    Unique across workers and restarts without a system call per request (uuid4 reads
    the kernel's random source each time); a request id names, it guards nothing.
    """
    return f"{_PROCESS_ID}{next(_SEQUENCE) & 0xFFFFFFFFFFFFFFFF:016x}"


def clean_request_id(given: str | None) -> str:
    """The client's request id when it is short and plain, else a new one.

    It is echoed in a header and written to the access log: control characters,
    quotes or a megabyte of text must reach neither.
    """
    if given is not None and REQUEST_ID.fullmatch(given):
        return given
    return new_request_id()


def endpoint_name(scope: Scope, user_agent: str | None = None) -> str:
    """The telemetry endpoint: the outside probe, the route template, else scanner or unmatched.

    Scanner probes get their own name so 異常アクセス can be counted from telemetry;
    Route 53's checkers (their User-Agent) get theirs so that ~1.3M checks a month are
    counted apart from the users' requests, whatever path they check.
    """
    if user_agent is not None and user_agent.startswith(OUTSIDE_PROBE_USER_AGENT):
        return OUTSIDE_PROBE_ENDPOINT
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template:
        return str(template)
    return SCANNER_ENDPOINT if is_scanner_path(scope.get("path", "")) else UNMATCHED_ENDPOINT


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit.

    An HTTPException so that FastAPI's body reader re-raises it unchanged and the
    problem+json handler answers 413 (any other exception there becomes a 400).
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is larger than {max_bytes} bytes")


Refusal = tuple[int, str, str, str]
"""Status, title, problem slug and detail of a request refused before routing."""


def refusal(limits: RequestLimits, seen: RequestHeaders) -> Refusal | None:
    """431 for too many or too large headers, 413 for a declared body over the limit."""
    if seen.count > limits.max_header_count or seen.size > limits.max_header_bytes:
        detail = (
            f"send at most {limits.max_header_count} headers"
            f" and {limits.max_header_bytes} bytes of them"
        )
        return 431, "Request header fields too large", "headers-too-large", detail
    declared = seen.content_length
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        return body_too_large(limits)
    return None


def body_too_large(limits: RequestLimits) -> Refusal:
    detail = f"the request body is larger than {limits.max_body_bytes} bytes"
    return 413, "Request body too large", "body-too-large", detail


class EdgeMiddleware:
    """Every HTTP request: limits, request id, security headers, telemetry (when enabled).

    Refused requests (431, 413) are answered here and still counted and logged; every
    answer, refusals included, carries the security headers and the request id. HSTS
    is sent only over HTTPS: the request's scheme or, behind the load balancer or
    CloudFront, its ``X-Forwarded-Proto`` (a browser ignores HSTS over plain HTTP anyway).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: RequestLimits,
        csp_for: ContentSecurityPolicy,
        recorder: Recorder | None,
        access_log: JsonLineWriter | None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.csp_for = csp_for
        self.recorder = recorder
        self.access_log = access_log
        self._security: dict[tuple[bytes, bool], tuple[tuple[bytes, bytes], ...]] = {}

    def security_headers(self, path: str, https: bool) -> tuple[tuple[bytes, bytes], ...]:
        """The fixed headers of a page family, built once per (policy, https)."""
        csp = self.csp_for(path)
        headers = self._security.get((csp, https))
        if headers is None:
            hsts = ((b"strict-transport-security", HSTS),) if https else ()
            headers = (*BASE_SECURITY_HEADERS, (b"content-security-policy", csp), *hsts)
            self._security[(csp, https)] = headers
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = read_headers(scope)
        request_id = clean_request_id(seen.request_id)
        https = scope.get("scheme") == "https" or seen.forwarded_proto == "https"
        added = [
            *self.security_headers(scope.get("path", ""), https),
            (b"x-request-id", request_id.encode()),
        ]
        keyed = seen.authorization is not None
        head = scope["method"] == "HEAD"
        if head:
            # RFC 9110 §9.3.2: HEAD is GET without the body, on every GET route at once.
            scope = {**scope, "method": "GET"}
        exchange = Exchange()

        async def edge_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.started = True
                headers = [*message.get("headers", ()), *added]
                if keyed and not any(k == b"cache-control" for k, _ in headers):
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                if head:
                    message = {**message, "body": b""}
                exchange.bytes_out += len(message.get("body", b""))
            await send(message)

        try:
            refused = refusal(self.limits, seen)
            if refused is not None:
                await send_problem(edge_send, scope, *refused)
            else:
                await self._with_body_limit(scope, receive, edge_send, exchange)
        finally:
            if self.recorder is not None:
                scope = {**scope, "method": "HEAD"} if head else scope
                self._record(scope, exchange, started, request_id, self.recorder, seen)

    async def _with_body_limit(
        self, scope: Scope, receive: Receive, send: Send, exchange: Exchange
    ) -> None:
        """Run the app with ``receive`` counting the body and refusing it past the limit.

        Whatever the headers say: behind Lambda's adapter a body may come without a
        Content-Length, and a streamed one declares none.
        """
        max_bytes = self.limits.max_body_bytes

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.bytes_in += len(message.get("body", b""))
                if exchange.bytes_in > max_bytes:
                    raise BodyTooLargeError(max_bytes)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLargeError:
            if not exchange.started:
                await send_problem(send, scope, *body_too_large(self.limits))

    def _record(
        self,
        scope: Scope,
        exchange: Exchange,
        started: float,
        request_id: str,
        recorder: Recorder,
        seen: RequestHeaders,
    ) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        endpoint = endpoint_name(scope, seen.user_agent)
        recorder.record_request(
            endpoint=endpoint,
            method=scope["method"],
            status=exchange.status,
            duration_ms=duration_ms,
            bytes_in=exchange.bytes_in,
            bytes_out=exchange.bytes_out,
        )
        if self.access_log is not None:
            self.access_log.write(
                {
                    "time": datetime.now(UTC),
                    "level": "INFO",
                    "type": "access",
                    "request_id": request_id,
                    "task": recorder.task_id,
                    "method": scope["method"],
                    "endpoint": endpoint,
                    "path": scope["path"],
                    "status": exchange.status,
                    "duration_ms": round(duration_ms, 3),
                    "bytes_in": exchange.bytes_in,
                    "bytes_out": exchange.bytes_out,
                }
            )


async def send_problem(
    send: Send, scope: Scope, status: int, title: str, slug: str, detail: str
) -> None:
    """A problem+json answer written straight to ASGI, for refusals before routing."""
    body = orjson.dumps(
        {
            "type": f"https://portfolio.example/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope["path"][:200],
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
