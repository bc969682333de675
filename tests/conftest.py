"""Shared fixtures: settings, a store per backend, and an API client over it."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portfolio.api.app import create_app
from portfolio.config import Settings, StoreSettings, TelemetrySettings
from portfolio.store.protocols import Store
from portfolio.store.sqlite import SQLiteStore
from tests.dynamodb_local import (  # noqa: F401 - fixtures and the hook that stops DynamoDB Local
    dynamodb_endpoint,
    dynamodb_local_factory,
    dynamodb_store,
    pytest_sessionfinish,
)

# The developer's own settings must not reach the tests: Settings() reads PORTFOLIO_*
# variables, so a PORTFOLIO_KPI__AVAILABILITY_PCT in the shell would change what a test
# asserts. Cleared at import, before any test (or fixture) builds a Settings. Kept: the
# test harness's own switches (an external DynamoDB Local, the Chromium to use), not settings.
_HARNESS = ("PORTFOLIO_TEST_", "PORTFOLIO_CHROMIUM", "PORTFOLIO_CHECKOV", "PORTFOLIO_CACHE_DIR")
for _name in [n for n in os.environ if n.upper().startswith("PORTFOLIO_")]:
    if not _name.upper().startswith(_HARNESS):
        del os.environ[_name]

# Servers started by tests stop at once on SIGTERM; the drain (5 s by default) has its
# own test, which sets it.
os.environ.setdefault("PORTFOLIO_API__DRAIN_S", "0")

WRITE_KEY = "test-writer-key-0123456789"
READ_KEY = "test-reader-key-0123456789"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "api_keys": [WRITE_KEY, f"{READ_KEY}:ro"],
        "task_id": "task-test",
        "store": StoreSettings(sqlite_path=tmp_path / "test.db"),
        "telemetry": TelemetrySettings(flush_interval_s=300, access_log=False),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a test that starts server processes first, then the others by size.

    `make pytest` runs one file per worker (``--dist loadfile --no-loadscope-reorder``)
    in this order. The server files are the longest and mostly wait (for a minute to
    close, a JVM, a browser): begun first, the other worker's files fill their waits,
    instead of one of them starting last and running alone at the end.
    """

    def file_of(item: pytest.Item) -> str:
        return item.nodeid.split("::")[0]

    size = Counter(file_of(item) for item in items)
    server = {file_of(item) for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> tuple[bool, int]:
        return file_of(item) not in server, -size[file_of(item)]

    items.sort(key=rank)  # stable: a file's tests keep their order


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def _sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = SQLiteStore(tmp_path / "store.db")
    yield store
    store.close()


STORE_FACTORIES = {"sqlite": _sqlite_store, "dynamodb": dynamodb_store}


@pytest.fixture(params=sorted(STORE_FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every store backend in turn: tests using it are the contract every backend meets."""
    yield from STORE_FACTORIES[request.param](tmp_path)


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    app = create_app(settings, store=store, configure_logs=False)
    with TestClient(app) as test_client:
        yield test_client


def auth(key: str = WRITE_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
