"""The OpenAPI contract, checked by Schemathesis against a real `portfolio serve`.

Every check is on (``--checks all``) and the run must find nothing, on both stores.
The number of examples per operation is bounded so the two runs stay within
about a minute; ``--seed`` makes a failure reproducible with the printed command.
What the checks expect beyond their defaults is in ``schemathesis.toml`` beside
this file, each with its reason.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portfolio.store.dynamodb import DynamoDBStore
from tests.conftest import WRITE_KEY
from tests.dynamodb_local import new_table_prefix, shared_client
from tests.server import free_port

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 12
SEED = 20251201


def _store_env(backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    if backend == "sqlite":
        yield {"PORTFOLIO_STORE__SQLITE_PATH": str(tmp_path / "contract.db")}
        return
    client = shared_client()
    prefix = new_table_prefix()
    users, metrics = f"{prefix}-portfolio-users", f"{prefix}-portfolio-metrics"
    store = DynamoDBStore(client, users_table=users, metrics_table=metrics)
    store.create_tables()
    try:
        yield {
            "PORTFOLIO_STORE__BACKEND": "dynamodb",
            "PORTFOLIO_STORE__DYNAMODB_ENDPOINT_URL": client.meta.endpoint_url,
            "PORTFOLIO_STORE__USERS_TABLE": users,
            "PORTFOLIO_STORE__METRICS_TABLE": metrics,
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    finally:
        store.delete_tables()


@pytest.fixture(params=["sqlite", "dynamodb"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The base URL of `portfolio serve` on the given store, stopped afterwards."""
    for store_env in _store_env(request.param, tmp_path):
        port = free_port()
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(BIN / "portfolio"), "serve", "--create", "--no-probe", "--port", str(port)],
                env={
                    **os.environ,
                    **store_env,
                    "PORTFOLIO_API_KEYS": WRITE_KEY,
                    "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
                },
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if httpx.get(url + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "server did not become ready"
                time.sleep(0.1)
            yield url
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_the_api_meets_its_openapi_document(served: str, tmp_path: Path) -> None:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{served}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--header",
        f"Authorization: Bearer {WRITE_KEY}",
        "--no-color",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
    )  # its cache folder goes to tmp_path, not the checkout
    output = result.stdout + result.stderr
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    failures = output.find("FAILURES")
    assert result.returncode == 0, output[failures:][:8000] if failures >= 0 else output[-6000:]
    assert cases is not None, output[-2000:]
    generated, passed = map(int, cases.groups())
    print(f"schemathesis: {generated} cases, {passed} passed")
    assert generated > 300  # every operation was exercised, not a run that tested nothing
