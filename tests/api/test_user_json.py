"""The user JSON written straight from records is byte for byte what the schemas would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from fastapi.testclient import TestClient

from portfolio.api.schemas import UserPublic
from portfolio.api.user_json import user_json, users_page_json
from portfolio.store.records import Role, User, UsersPage
from tests.conftest import auth

TIMES = [
    datetime(2026, 8, 1, 9, 30, 15, 123456, tzinfo=UTC),
    datetime(2026, 8, 1, 9, 30, 15, tzinfo=UTC),  # no fraction: pydantic writes none either
    datetime(2026, 8, 1, 18, 30, 15, 500, tzinfo=timezone(timedelta(hours=9))),
    datetime(2026, 8, 1, 9, 30, 15, 1),  # naive, as a store might hand back
]


def user(when: datetime, **fields: object) -> User:
    values: dict[str, object] = {
        "id": "01JABCDEFGHJKMNPQRSTVWXYZ0",
        "name": "山田 花子",
        "email": "hanako@example.com",
        "role": Role.ADMIN,
        "title": 'SRE "lead"',
        "bio": "運用担当\n二行目 \\ done",
        "links": ("https://example.com/a", "https://example.com/b?q=1&r=2"),
        "created_at": when,
        "updated_at": when + timedelta(seconds=1),
        "version": 12,
    }
    return User(**(values | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize("when", TIMES)
@pytest.mark.parametrize("show_email", [True, False])
def test_one_user_is_what_user_public_writes(when: datetime, show_email: bool) -> None:
    record = user(when)
    expected = UserPublic.of(record, show_email=show_email).model_dump_json(exclude_none=True)
    assert user_json(record, show_email=show_email) == expected.encode()


@pytest.mark.parametrize("next_cursor", [None, "eyJhZnRlciI6ICIwMUoifQ"])
@pytest.mark.parametrize("show_email", [True, False])
def test_a_page_is_what_the_schemas_write(next_cursor: str | None, show_email: bool) -> None:
    records = [user(when, id=f"01J{n}", links=()) for n, when in enumerate(TIMES)]
    written = orjson.loads(users_page_json(UsersPage(records, next_cursor), show_email=show_email))
    assert written == {
        "items": [
            orjson.loads(UserPublic.of(r, show_email=show_email).model_dump_json(exclude_none=True))
            for r in records
        ],
        "next_cursor": next_cursor,  # present on the last page too, as null
    }
    assert all(("email" in item) is show_email for item in written["items"])


def test_list_and_get_show_the_email_only_with_a_key(client: TestClient) -> None:
    created = client.post(
        "/api/v1/users", json={"name": "A", "email": "a@example.com"}, headers=auth()
    ).json()
    anonymous = client.get("/api/v1/users")
    assert anonymous.headers["content-type"] == "application/json"
    assert anonymous.json() == {
        "items": [{k: v for k, v in created.items() if k != "email"}],
        "next_cursor": None,
    }
    assert client.get("/api/v1/users", headers=auth()).json()["items"] == [created]
    one = client.get(f"/api/v1/users/{created['id']}")
    assert one.json() == anonymous.json()["items"][0]
    assert one.headers["etag"] == '"1"'
    assert client.get(f"/api/v1/users/{created['id']}", headers=auth()).json() == created
