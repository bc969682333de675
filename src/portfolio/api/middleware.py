"""Pure ASGI middleware: request telemetry, security headers, header and body limits.

Pure ASGI (not BaseHTTPMiddleware) because it runs on every request and the
throughput of /health is part of the budget.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portfolio.names import SCANNER_ENDPOINT, UNMATCHED_ENDPOINT
from portfolio.security_rules import is_scanner_path
from portfolio.telemetry.logs import JsonLineWriter
from portfolio.telemetry.recorder import Recorder


class TelemetryMiddleware:
    """Records every request by endpoint template and writes one JSON access-log line."""

    def __init__(
        self, app: ASGIApp, *, recorder: Recorder, access_log: JsonLineWriter | None
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = clean_request_id(_header(scope, b"x-request-id"))
        state = {"status": 500, "bytes_in": 0, "bytes_out": 0}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["bytes_in"] += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                state["bytes_out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            endpoint = endpoint_name(scope)
            self.recorder.record_request(
                endpoint=endpoint,
                method=scope["method"],
                status=state["status"],
                duration_ms=duration_ms,
                bytes_in=state["bytes_in"],
                bytes_out=state["bytes_out"],
            )
            if self.access_log is not None:
                self.access_log.write(
                    {
                        "time": datetime.now(UTC),
                        "level": "INFO",
                        "type": "access",
                        "request_id": request_id,
                        "task": self.recorder.task_id,
                        "method": scope["method"],
                        "endpoint": endpoint,
                        "path": scope["path"],
                        "status": state["status"],
                        "duration_ms": round(duration_ms, 3),
                        "bytes_in": state["bytes_in"],
                        "bytes_out": state["bytes_out"],
                    }
                )


REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""What a client's X-Request-Id may be to be echoed and logged; anything else is replaced."""


def clean_request_id(given: str | None) -> str:
    """The client's request id when it is short and plain, else a new one.

    It is echoed in a header and written to the access log: control characters,
    quotes or a megabyte of text must reach neither.
    """
    if given is not None and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def endpoint_name(scope: Scope) -> str:
    """The telemetry endpoint: the route template, else scanner or unmatched.

    Scanner probes get their own name so 異常アクセス can be counted from telemetry.
    """
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


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with 413 problem+json, declared or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is None and _header(scope, b"transfer-encoding") is None:
            # HTTP/1.1 framing: with neither header the request has no body to limit.
            await self.app(scope, receive, send)
            return
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes"
        await send_problem(send, scope, 413, "Request body too large", "body-too-large", detail)


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


class HeaderLimitMiddleware:
    """Refuses requests with too many or too large headers (431), before any work is done.

    The ASGI server accepts a megabyte of headers or thousands of them; nothing this
    API reads needs more than a few short ones.
    """

    def __init__(self, app: ASGIApp, *, max_count: int, max_bytes: int) -> None:
        self.app = app
        self.max_count = max_count
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers", [])
            size = sum(len(k) + len(v) + 4 for k, v in headers)
            if len(headers) > self.max_count or size > self.max_bytes:
                detail = f"send at most {self.max_count} headers and {self.max_bytes} bytes of them"
                await send_problem(
                    send, scope, 431, "Request header fields too large", "headers-too-large", detail
                )
                return
        await self.app(scope, receive, send)


ContentSecurityPolicy = Callable[[str], bytes]


class SecurityHeadersMiddleware:
    """Adds the security headers every answer carries; HSTS only when served over HTTPS.

    ``csp_for(path)`` gives each page family its policy (the API, /docs, the site).
    HTTPS is the request's scheme or, behind the load balancer or CloudFront, its
    ``X-Forwarded-Proto``: a browser ignores HSTS received over plain HTTP anyway.
    """

    HSTS = b"max-age=31536000; includeSubDomains"

    def __init__(self, app: ASGIApp, *, csp_for: ContentSecurityPolicy) -> None:
        self.app = app
        self.csp_for = csp_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https" or _header(scope, b"x-forwarded-proto") == "https"
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", self.csp_for(scope.get("path", ""))),
        ]
        if https:
            extra.append((b"strict-transport-security", self.HSTS))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None
