"""The API's cold path: importing the Lambda handler loads only what a request needs.

A fresh interpreter imports ``portfolio.api.lambda_app`` (as Lambda's runtime does on a
cold start) and answers one ``/health`` event; the report builder, DuckDB, numpy (the
latency sketch loads it when a minute closes, not for a request's ``add``) and Jinja2
(which Swagger UI's package would load for /docs) must not be loaded by then.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("duckdb", "jinja2", "numpy", "portfolio.report")

SCRIPT = """
import json, sys
from portfolio.api.lambda_app import handler
event = {
    "version": "2.0", "routeKey": "$default", "rawPath": "/health", "rawQueryString": "",
    "headers": {"host": "abc.lambda-url.ap-northeast-1.on.aws"},
    "requestContext": {
        "accountId": "anonymous", "apiId": "abc", "domainName": "abc.lambda-url.on.aws",
        "domainPrefix": "abc", "requestId": "cold", "routeKey": "$default",
        "stage": "$default", "time": "01/Dec/2026:00:00:00 +0000", "timeEpoch": 1796083200000,
        "http": {"method": "GET", "path": "/health", "protocol": "HTTP/1.1",
                 "sourceIp": "203.0.113.7", "userAgent": "test"},
    },
    "isBase64Encoded": False,
}
status = handler(event, None)["statusCode"]
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"duckdb", "jinja2", "numpy"}
               or m == "portfolio.report" or m.startswith("portfolio.report."))
print(json.dumps({"status": status, "heavy": heavy}))
"""


def _cold_start(tmp_path: Path) -> dict[str, object]:
    env = {
        "PORTFOLIO_STORE__SQLITE_PATH": str(tmp_path / "cold.db"),
        "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    return answer


def test_lambda_handler_cold_start_loads_no_report_duckdb_or_numpy(tmp_path: Path) -> None:
    heavy = _cold_start(tmp_path)["heavy"]
    assert heavy == [], f"the API's cold path loads {HEAVY}: {heavy}"
