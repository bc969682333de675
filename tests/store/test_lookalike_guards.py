"""Look-alike guards on stores written before them: an SQLite file migrated to the
skeleton column, a DynamoDB user without a ``SKEL#`` item. Nothing is lost, every
record stays writable, and new look-alikes are refused from the upgrade on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from portfolio.errors import DuplicateEmailError
from portfolio.store import keys
from portfolio.store.dynamodb.lookalikes import HELD, skeleton_key
from portfolio.store.dynamodb.store import DynamoDBStore
from portfolio.store.emails import email_key, email_skeleton
from portfolio.store.migrations import MIGRATIONS
from portfolio.store.records import NewUser
from portfolio.store.sqlite import SQLiteStore
from tests.dynamodb_local import dynamodb_store, shared_client

LOOKALIKE = "h\u0430nako@example.com"  # Cyrillic а


def _old_file(path: Path) -> None:
    """Back to the schema before the skeleton column, as an older program left it."""
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "DROP INDEX users_email_skeleton; ALTER TABLE users DROP COLUMN email_skeleton;"
            f" PRAGMA user_version = {len(MIGRATIONS) - 1};"
        )


def test_sqlite_migration_keeps_old_lookalikes_and_refuses_new_ones(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    first = store.create_user(NewUser(name="Hanako", email="hanako@example.com"))
    store.close()
    _old_file(path)
    with sqlite3.connect(path) as conn:  # the older program let a look-alike in
        conn.execute(
            "INSERT INTO users SELECT 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ', name, ?, ?, role, title, bio,"
            " links, created_at, updated_at, 1 FROM users",
            (LOOKALIKE, email_key(LOOKALIKE)),
        )
    store = SQLiteStore(path)
    with sqlite3.connect(path) as conn:
        held = dict(conn.execute("SELECT id, email_skeleton FROM users").fetchall())
    assert held == {
        first.id: email_skeleton("hanako@example.com"),
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZ": None,
    }
    with pytest.raises(DuplicateEmailError):
        store.create_user(NewUser(name="B", email="hanako@ex\u0430mple.com"))
    late = store.update_user("ZZZZZZZZZZZZZZZZZZZZZZZZZZ", {"name": "Late"}, expected_version=1)
    store.delete_user(late.id, expected_version=late.version)
    store.update_user(first.id, {"name": "Hanako Y."}, expected_version=1)
    store.close()


@pytest.fixture
def dynamodb(tmp_path: Path) -> Iterator[DynamoDBStore]:
    for store in dynamodb_store(tmp_path):
        assert isinstance(store, DynamoDBStore)
        yield store


def test_dynamodb_user_without_a_guard_stays_writable_and_takes_one(
    dynamodb: DynamoDBStore,
) -> None:
    client = shared_client()
    table = dynamodb.users_table
    user = dynamodb.create_user(NewUser(name="Hanako", email="hanako@example.com"))
    # As a user written before the guard: no SKEL item, no record of holding one.
    client.delete_item(TableName=table, Key=skeleton_key(email_skeleton("hanako@example.com")))
    client.update_item(
        TableName=table,
        Key=keys.user_key(user.id),
        UpdateExpression="REMOVE #held",
        ExpressionAttributeNames={"#held": HELD},
    )
    renamed = dynamodb.update_user(user.id, {"name": "Hanako Y."}, expected_version=1)
    moved = dynamodb.update_user(user.id, {"email": "yamada@example.com"}, expected_version=2)
    assert moved.version == renamed.version + 1
    with pytest.raises(DuplicateEmailError):  # the move took the guard of its new address
        dynamodb.create_user(NewUser(name="B", email="y\u0430mada@example.com"))
    dynamodb.delete_user(user.id, expected_version=moved.version)
    dynamodb.create_user(NewUser(name="C", email="y\u0430mada@example.com"))
