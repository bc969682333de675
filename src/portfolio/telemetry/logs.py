"""Structured JSON logs on stdout, and a count of WARNING+ records per minute.

One JSON object a line is what CloudWatch Logs (awslogs driver) indexes as
fields. Records of level WARNING and above are also counted into the recorder,
which is where the report's warning and error log figures come from.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from portfolio.telemetry.recorder import Recorder


class JsonLineWriter:
    """Writes one JSON object a line; thread-safe, no per-line flush on the request path."""

    def __init__(self, stream: IO[bytes] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout.buffer
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        with self._lock:
            self._stream.write(line)

    def flush(self) -> None:
        with self._lock:
            self._stream.flush()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(body).decode()


class WarningCounter(logging.Handler):
    """Counts WARNING+ records into the recorder (the per-minute warning/error figures)."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(level=logging.WARNING)
        self.recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        self.recorder.record_log(record.levelname)


def configure_logging(recorder: Recorder | None, *, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if isinstance(handler, WarningCounter | _JsonStreamHandler):
            root.removeHandler(handler)
    stream = _JsonStreamHandler(sys.stdout)
    stream.setFormatter(JsonFormatter())
    root.addHandler(stream)
    if recorder is not None:
        root.addHandler(WarningCounter(recorder))


class _JsonStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    pass
