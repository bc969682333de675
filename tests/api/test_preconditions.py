"""If-Match per RFC 9110 §13.1.1 on both stores: strong comparison, `*`, lists, malformed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.test_users import USERS, assert_problem, create
from tests.conftest import auth


def _patch(client: TestClient, user_id: str, if_match: str, name: str = "x") -> object:
    return client.patch(
        f"{USERS}/{user_id}", json={"name": name}, headers={**auth(), "If-Match": if_match}
    )


def test_star_matches_the_current_version(client: TestClient) -> None:
    user = create(client)
    response = client.patch(
        f"{USERS}/{user['id']}", json={"name": "x"}, headers={**auth(), "If-Match": "*"}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


def test_star_on_a_missing_user_is_404(client: TestClient) -> None:
    missing = f"{USERS}/01NOSUCHUSER0000000000000"
    assert_problem(client.delete(missing, headers={**auth(), "If-Match": "*"}), 404)


def test_weak_tag_never_matches_a_write(client: TestClient) -> None:
    user = create(client)
    assert_problem(_patch(client, user["id"], 'W/"1"'), 412)  # type: ignore[arg-type]


def test_a_list_matches_when_one_member_is_current(client: TestClient) -> None:
    user = create(client)
    response = client.patch(
        f"{USERS}/{user['id']}",
        json={"name": "x"},
        headers={**auth(), "If-Match": '"7", W/"1", "1"'},
    )
    assert response.status_code == 200
    stale = client.delete(f"{USERS}/{user['id']}", headers={**auth(), "If-Match": '"1", "3"'})
    assert_problem(stale, 412)


@pytest.mark.parametrize(
    "value", ['"99999999999999999999999"', '"1' + "0" * 40 + '"', '"01"', '"abc"']
)
def test_tags_that_name_no_version_are_412_never_500(client: TestClient, value: str) -> None:
    user = create(client)
    url = f"{USERS}/{user['id']}"
    assert_problem(
        client.patch(url, json={"name": "x"}, headers={**auth(), "If-Match": value}), 412
    )
    assert_problem(client.delete(url, headers={**auth(), "If-Match": value}), 412)


@pytest.mark.parametrize("value", ["1", '"1', '"1",,"2"', "W/1", '"a b"', '"' + "1" * 2000 + '"'])
def test_malformed_if_match_is_400(client: TestClient, value: str) -> None:
    user = create(client)
    body = assert_problem(_patch(client, user["id"], value), 400)  # type: ignore[arg-type]
    assert body["type"].endswith("/malformed-if-match")
