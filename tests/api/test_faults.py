"""Issue 27: faults leave the service honest (static mount, HTTP details, readiness)."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from portfolio.api import readiness
from portfolio.api.app import create_app
from portfolio.config import Settings
from portfolio.store.sqlite import SQLiteStore
from tests.api.test_users import USERS, assert_problem, create
from tests.conftest import auth


@pytest.fixture
def app_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """The API on SQLite: what these tests check happens before or without the store."""
    store = SQLiteStore(tmp_path / "faults.db")
    with TestClient(create_app(settings, store=store, configure_logs=False)) as client:
        yield client
    store.close()


# -- 2. every URL answers < 500 ---------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/%00", "/index.html%00.txt", "/" + "a" * 256, "/docs/" + "b" * 300 + "/x"]
)
def test_paths_no_file_can_have_are_404_with_one_log_line(
    app_client: TestClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = app_client.get(path)
    assert_problem(response, 404)
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a caller's path"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- 5. HTTP details ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/livez", USERS, "/api/v1/metrics", "/"])
def test_head_is_get_without_a_body(app_client: TestClient, path: str) -> None:
    get = app_client.get(path)
    head = app_client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_of_one_user_and_of_a_missing_one(app_client: TestClient) -> None:
    user = create(app_client)
    assert app_client.head(f"{USERS}/{user['id']}").status_code == 200
    assert app_client.head(f"{USERS}/01ABCDEFGHJKMNPQRSTVWXYZ00").status_code == 404


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_json_bodies_in_other_encodings_are_400(app_client: TestClient, encoding: str) -> None:
    body = json.dumps({"name": "Utf16", "email": "u16@example.com"}).encode(encoding)
    response = app_client.post(
        USERS, content=body, headers={**auth(), "Content-Type": "application/json"}
    )
    assert_problem(response, 400)
    assert "UTF-8" in response.json()["detail"]


def test_a_charset_other_than_utf8_is_415(app_client: TestClient) -> None:
    body = json.dumps({"name": "Latin", "email": "l1@example.com"}).encode("latin-1")
    content_type = "application/json; charset=iso-8859-1"
    response = app_client.post(
        USERS, content=body, headers={**auth(), "Content-Type": content_type}
    )
    assert_problem(response, 415)
    ok = app_client.post(
        USERS,
        content=body,
        headers={**auth(), "Content-Type": "application/json; charset=UTF-8"},
    )
    assert ok.status_code == 201


def test_keyed_answers_are_no_store(app_client: TestClient) -> None:
    user = create(app_client)
    for response in (
        app_client.get(USERS, headers=auth()),
        app_client.get(f"{USERS}/{user['id']}", headers=auth()),
        app_client.post(USERS, json={"name": "N", "email": "n@example.com"}, headers=auth()),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url


# -- 3. readiness from its own path -----------------------------------------------------


def test_health_answers_while_writes_wait_for_a_locked_store(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds SQLite's write lock; 60 writes wait in the thread pool.

    On main the readiness ping queued behind them: /health did not answer until the
    writes gave up (30 s). Now it answers at once, and "store-busy" once a write
    has waited longer than WRITE_STALL_S; ready again when the lock is released.
    """
    monkeypatch.setattr(readiness, "WRITE_STALL_S", 1.0)
    monkeypatch.setattr(readiness, "READINESS_TTL_S", 0.0)
    db = tmp_path / "locked.db"
    store = SQLiteStore(db)
    app = create_app(settings, store=store, configure_logs=False)
    holder = sqlite3.connect(db, isolation_level=None)

    async def scenario() -> tuple[list[int], list[tuple[float, int, str | None]]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=60
        ) as client:
            holder.execute("BEGIN EXCLUSIVE")

            async def post(i: int) -> int:
                body = {"name": f"w{i}", "email": f"w{i}@example.com"}
                return (await client.post(USERS, json=body, headers=auth())).status_code

            writes = [asyncio.create_task(post(i)) for i in range(60)]
            polls = []
            started = time.monotonic()
            for _ in range(8):
                await asyncio.sleep(0.25)
                t0 = time.monotonic()
                health = await asyncio.wait_for(client.get("/health"), 5)
                polls.append((time.monotonic() - t0, health.status_code, health.json()["reason"]))
            assert time.monotonic() - started < 20
            holder.execute("ROLLBACK")
            statuses = list(await asyncio.gather(*writes))
            polls.append((0.0, (await client.get("/health")).status_code, None))
            return statuses, polls

    try:
        statuses, polls = asyncio.run(scenario())
    finally:
        holder.close()
        store.close()
    assert all(seconds < 3 for seconds, _, _ in polls), polls
    assert (503, "store-busy") in [(status, reason) for _, status, reason in polls], polls
    assert polls[-1][1] == 200
    assert statuses == [201] * 60


def test_a_write_that_failed_on_a_lock_keeps_the_task_not_ready_until_a_write_succeeds(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio.errors import StoreUnavailableError

    monkeypatch.setattr(readiness, "STORE_FAILURE_HOLD_S", 0.0)  # only the write latch is left
    gate = client.app.state.runtime.gate  # type: ignore[attr-defined]
    gate.store_failed(StoreUnavailableError("sqlite: locked", reason="store-busy"), write=True)
    assert client.get("/health").json()["reason"] == "store-busy"
    create(client)  # a write succeeds
    assert client.get("/health").status_code == 200


# -- 6. emails ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    ["a" * 65 + "@example.com", "a@b", "hanako@localhost-like"],
)
def test_overlong_local_parts_and_undotted_domains_are_422(
    app_client: TestClient, email: str
) -> None:
    response = app_client.post(USERS, json={"name": "E", "email": email}, headers=auth())
    assert_problem(response, 422)


def test_a_64_byte_local_part_is_fine(app_client: TestClient) -> None:
    create(app_client, email="a" * 64 + "@example.com")
