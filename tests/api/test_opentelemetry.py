"""FastAPI's native OpenTelemetry: off unless the setting asks for it.

Each case runs in its own interpreter, since OpenTelemetry's global tracer provider
can be set once per process. The provider records the names of the spans started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import json, sys
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, INVALID_SPAN_CONTEXT
from portfolio.api.app import create_app
from portfolio.config import Settings

started = []

class Tracer(trace.Tracer):
    def start_span(self, name, *args, **kwargs):
        started.append(name)
        return NonRecordingSpan(INVALID_SPAN_CONTEXT)

    def start_as_current_span(self, name, *args, **kwargs):
        started.append(name)
        return trace.use_span(NonRecordingSpan(INVALID_SPAN_CONTEXT))

class Provider(trace.TracerProvider):
    def get_tracer(self, *args, **kwargs):
        return Tracer()

trace.set_tracer_provider(Provider())
settings = Settings(store={"sqlite_path": sys.argv[1]})
with TestClient(create_app(settings, configure_logs=False)) as client:
    assert client.get("/health").status_code == 200
with open(sys.argv[2], "w") as out:
    json.dump(started, out)
"""


@pytest.mark.parametrize(("setting", "traced"), [(None, False), ("true", True)])
def test_fastapi_spans_only_when_asked_for(
    tmp_path: Path, setting: str | None, traced: bool
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    if setting is not None:
        env["PORTFOLIO_TELEMETRY__OPENTELEMETRY"] = setting
    result = tmp_path / "spans.json"
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "otel.db"), str(result)],
        capture_output=True, env=env, check=True, timeout=60,
    )  # fmt: skip
    spans = json.loads(result.read_text())
    if traced:
        assert "GET" in spans  # the request's server span, named by its method
        assert "fastapi.endpoint" in spans
    else:
        assert spans == []
