"""JSON request bodies are UTF-8 (RFC 8259 §8.1), and nothing else is read as JSON.

Python's ``json.loads`` on bytes guesses UTF-16 and UTF-32 from the NUL bytes, so
FastAPI accepted a UTF-16 body. A body in another encoding is refused before it is
parsed: a ``charset`` other than UTF-8 with 415, UTF-16/32 bytes with 400.
"""

from __future__ import annotations

import email.message
import json

from fastapi import Request

from portfolio.api.problems import ProblemError

UTF8 = frozenset({"utf-8", "utf8", "utf-8-sig"})
"""What ``json.detect_encoding`` may find; a UTF-8 byte order mark may be ignored (§8.1)."""


async def require_utf8_json(request: Request) -> None:
    """Raise 415 or 400 unless the request's JSON body is UTF-8 (an empty body passes)."""
    content_type = request.headers.get("content-type")
    if content_type:
        message = email.message.Message()
        message["content-type"] = content_type
        charset = message.get_param("charset")
        if isinstance(charset, str) and charset.strip().lower() not in UTF8:
            raise ProblemError(415, f"JSON bodies are UTF-8 (RFC 8259 §8.1), not {charset[:40]!r}")
    body = await request.body()  # kept by the request: FastAPI reads the same bytes
    if body and json.detect_encoding(body) not in UTF8:
        raise ProblemError(400, "the JSON body is not UTF-8 (RFC 8259 §8.1)", slug="not-utf-8")
