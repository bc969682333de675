"""User reads kept while the store is unchanged: never an answer older than the last commit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Hashable
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

from portfolio.api.app import create_app
from portfolio.api.fresh_cache import FreshCache
from portfolio.config import Settings
from portfolio.store.protocols import Store
from portfolio.store.records import NewUser
from portfolio.store.sqlite import SQLiteStore
from tests.conftest import auth

USERS = "/api/v1/users"


class _Counting:
    """A store stand-in whose token the test moves, counting the reads the cache makes."""

    def __init__(self, token: Hashable | None) -> None:
        self.token = token
        self.reads = 0

    def change_token(self) -> Hashable | None:
        return self.token

    async def read(self) -> int:
        self.reads += 1
        return self.reads


def _get(cache: FreshCache, store: _Counting, key: str) -> int:
    return anyio.run(cache.get, key, store.read)


def test_an_unchanged_store_is_read_once_per_key() -> None:
    store = _Counting(token=1)
    cache = FreshCache(store)  # type: ignore[arg-type]
    assert [_get(cache, store, "a"), _get(cache, store, "a"), _get(cache, store, "b")] == [1, 1, 2]
    store.token = 2
    assert _get(cache, store, "a") == 3
    assert len(cache) == 1  # the other key went with the old token


def test_without_a_token_every_read_goes_to_the_store() -> None:
    store = _Counting(token=None)
    cache = FreshCache(store)  # type: ignore[arg-type]
    assert [_get(cache, store, "a"), _get(cache, store, "a")] == [1, 2]
    assert len(cache) == 0


def test_the_cache_is_bounded_oldest_out_first() -> None:
    store = _Counting(token=1)
    cache = FreshCache(store, max_entries=2)  # type: ignore[arg-type]
    for key in "abc":
        _get(cache, store, key)
    assert len(cache) == 2
    assert _get(cache, store, "a") == 4  # "a" was dropped: read again
    assert _get(cache, store, "c") == 3


def test_a_read_that_saw_the_token_move_is_not_kept() -> None:
    store = _Counting(token=1)
    cache = FreshCache(store)  # type: ignore[arg-type]

    async def read_across_a_commit() -> int:
        store.token = 2  # a request begun meanwhile saw the newer token first
        await cache.get("other", store.read)
        return await store.read()

    assert anyio.run(cache.get, "a", read_across_a_commit) == 2
    assert _get(cache, store, "a") == 3  # read again: not the answer begun under token 1


def _names(client: TestClient, **headers: str) -> list[str]:
    response = client.get(USERS, headers=headers)
    assert response.status_code == 200
    return [user["name"] for user in response.json()["items"]]


def test_pages_follow_writes_of_the_api(client: TestClient) -> None:
    assert _names(client) == []
    created = client.post(USERS, json={"name": "Hanako", "email": "h@example.com"}, headers=auth())
    assert _names(client) == ["Hanako"]
    user_url = f"{USERS}/{created.json()['id']}"
    assert client.get(user_url).json()["name"] == "Hanako"
    client.patch(user_url, json={"name": "Hana"}, headers={**auth(), "If-Match": '"1"'})
    assert _names(client) == ["Hana"]
    assert client.get(user_url).headers["ETag"] == '"2"'


def test_emails_are_kept_apart_from_anonymous_pages(client: TestClient) -> None:
    client.post(USERS, json={"name": "Hanako", "email": "h@example.com"}, headers=auth())
    anonymous = client.get(USERS).json()["items"][0]
    keyed = client.get(USERS, headers=auth()).json()["items"][0]
    assert "email" not in anonymous
    assert keyed["email"] == "h@example.com"
    assert "email" not in client.get(USERS).json()["items"][0]


@pytest.mark.parametrize("writer", ["connection", "process"])
def test_a_write_by_another_connection_or_process_is_seen_at_once(
    settings: Settings, tmp_path: Path, writer: str
) -> None:
    """``PRAGMA data_version``: the API's next read sees a commit made outside the worker."""
    path = tmp_path / "shared.db"
    store = SQLiteStore(path)
    with TestClient(create_app(settings, store=store, configure_logs=False)) as client:
        assert _names(client) == []
        assert _names(client) == []  # now kept
        if writer == "connection":
            other: Store = SQLiteStore(path)
            other.create_user(NewUser(name="Elsewhere", email="e@example.com"))
            other.close()
        else:
            code = (
                "import sys; from portfolio.store.sqlite import SQLiteStore;"
                " from portfolio.store.records import NewUser;"
                " SQLiteStore(sys.argv[1]).create_user(NewUser(name='Elsewhere',"
                " email='e@example.com'))"
            )
            subprocess.run([sys.executable, "-c", code, str(path)], check=True)
        assert _names(client) == ["Elsewhere"]
    store.close()
