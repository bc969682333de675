"""Pure ASGI middleware: request telemetry and the request body limit.

Pure ASGI (not BaseHTTPMiddleware) because it runs on every request and the
throughput of /health is part of the budget.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portfolio.names import UNMATCHED_ENDPOINT
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
        request_id = _header(scope, b"x-request-id") or uuid.uuid4().hex
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
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or UNMATCHED_ENDPOINT
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
        body = orjson.dumps(
            {
                "type": "https://portfolio.example/problems/body-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"the request body is larger than {self.max_bytes} bytes",
                "instance": scope["path"],
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None
