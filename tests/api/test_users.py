"""Every endpoint of /api/v1/users and every error path (401/403/404/409/412/413/422/428)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import READ_KEY, auth

USERS = "/api/v1/users"
PROBLEM = "application/problem+json"


def create(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"name": "Hanako", "email": "hanako@example.com", **fields}
    response = client.post(USERS, json=body, headers=auth())
    assert response.status_code == 201, response.text
    return dict(response.json())


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def test_create_read_list_update_delete(client: TestClient) -> None:
    created = create(
        client, role="admin", title="SRE", bio="運用担当", links=["https://example.com/a"]
    )
    assert created["version"] == 1
    assert created["email"] == "hanako@example.com"
    user_id = created["id"]

    got = client.get(f"{USERS}/{user_id}", headers=auth())
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    assert got.json()["bio"] == "運用担当"

    patched = client.patch(
        f"{USERS}/{user_id}", json={"title": "Lead SRE"}, headers={**auth(), "If-Match": '"1"'}
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Lead SRE"
    assert patched.json()["version"] == 2
    assert patched.headers["etag"] == '"2"'

    deleted = client.delete(f"{USERS}/{user_id}", headers={**auth(), "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert_problem(client.get(f"{USERS}/{user_id}"), 404)


def test_create_returns_location_and_etag(client: TestClient) -> None:
    response = client.post(USERS, json={"name": "A", "email": "a@example.com"}, headers=auth())
    assert response.headers["location"] == f"{USERS}/{response.json()['id']}"
    assert response.headers["etag"] == '"1"'


def test_reads_are_public_but_hide_email_without_a_key(client: TestClient) -> None:
    user = create(client)
    anonymous = client.get(f"{USERS}/{user['id']}").json()
    assert "email" not in anonymous
    listed = client.get(USERS).json()["items"][0]
    assert "email" not in listed
    with_reader = client.get(f"{USERS}/{user['id']}", headers=auth(READ_KEY)).json()
    assert with_reader["email"] == "hanako@example.com"


def test_list_pages_with_cursor_cover_every_user_once(client: TestClient) -> None:
    ids = {create(client, email=f"u{i}@example.com")["id"] for i in range(7)}
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get(USERS, params=params).json()
        seen += [u["id"] for u in page["items"]]
        pages += 1
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_list_limit_is_bounded(client: TestClient) -> None:
    body = assert_problem(client.get(USERS, params={"limit": 101}), 422)
    assert body["errors"][0]["field"] == "query.limit"
    assert_problem(client.get(USERS, params={"limit": 0}), 422)


def test_bad_cursor_is_422(client: TestClient) -> None:
    assert_problem(client.get(USERS, params={"cursor": "not-a-cursor!"}), 422)


def test_writes_without_a_key_are_401(client: TestClient) -> None:
    response = client.post(USERS, json={"name": "A", "email": "a@example.com"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_key_is_401_and_malformed_header_is_401(client: TestClient) -> None:
    body = {"name": "A", "email": "a@example.com"}
    assert_problem(client.post(USERS, json=body, headers=auth("wrong-key")), 401)
    assert_problem(client.post(USERS, json=body, headers={"Authorization": "Basic abc"}), 401)


def test_read_only_key_cannot_write(client: TestClient) -> None:
    body = {"name": "A", "email": "a@example.com"}
    assert_problem(client.post(USERS, json=body, headers=auth(READ_KEY)), 403)


def test_missing_user_is_404(client: TestClient) -> None:
    assert_problem(client.get(f"{USERS}/01NOSUCHUSER0000000000000"), 404)
    assert_problem(
        client.patch(
            f"{USERS}/01NOSUCHUSER0000000000000",
            json={"name": "x"},
            headers={**auth(), "If-Match": '"1"'},
        ),
        404,
    )
    assert_problem(
        client.delete(f"{USERS}/01NOSUCHUSER0000000000000", headers={**auth(), "If-Match": '"1"'}),
        404,
    )


def test_duplicate_email_is_409_whatever_the_case(client: TestClient) -> None:
    create(client)
    response = client.post(USERS, json={"name": "B", "email": "HANAKO@example.com"}, headers=auth())
    body = assert_problem(response, 409)
    assert "email" in body["detail"]


def test_changing_email_to_a_taken_one_is_409(client: TestClient) -> None:
    create(client)
    other = create(client, email="taro@example.com")
    response = client.patch(
        f"{USERS}/{other['id']}",
        json={"email": "hanako@example.com"},
        headers={**auth(), "If-Match": '"1"'},
    )
    assert_problem(response, 409)
    assert client.get(f"{USERS}/{other['id']}", headers=auth()).json()["version"] == 1


def test_a_lookalike_email_is_409_and_the_owner_still_writes(client: TestClient) -> None:
    owner = create(client)
    for lookalike in ("h\u0430nako@example.com", "hanako@ex\u0430mple.com"):  # Cyrillic а
        response = client.post(USERS, json={"name": "B", "email": lookalike}, headers=auth())
        body = assert_problem(response, 409)
        assert "email" in body["detail"]
    create(client, email="hanako@example.org")  # a different address still registers
    response = client.patch(
        f"{USERS}/{owner['id']}",
        json={"name": "Hanako Y.", "email": "Hanako@example.com"},
        headers={**auth(), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text


def test_stale_if_match_is_412_and_changes_nothing(client: TestClient) -> None:
    user = create(client)
    url = f"{USERS}/{user['id']}"
    client.patch(url, json={"name": "v2"}, headers={**auth(), "If-Match": '"1"'})
    stale = client.patch(url, json={"name": "lost"}, headers={**auth(), "If-Match": '"1"'})
    assert_problem(stale, 412)
    assert_problem(client.delete(url, headers={**auth(), "If-Match": '"1"'}), 412)
    assert client.get(url).json()["name"] == "v2"


def test_missing_if_match_is_428(client: TestClient) -> None:
    user = create(client)
    url = f"{USERS}/{user['id']}"
    assert_problem(client.patch(url, json={"name": "x"}, headers=auth()), 428)
    assert_problem(client.delete(url, headers=auth()), 428)


def test_validation_errors_name_the_field(client: TestClient) -> None:
    response = client.post(USERS, json={"name": "A", "email": "not-an-email"}, headers=auth())
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["email"]


def test_unknown_fields_are_rejected(client: TestClient) -> None:
    response = client.post(
        USERS, json={"name": "A", "email": "a@example.com", "admin": True}, headers=auth()
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "admin"
    assert "unknown field" in body["errors"][0]["message"]


def test_patch_needs_a_field_and_refuses_nulls(client: TestClient) -> None:
    user = create(client)
    url = f"{USERS}/{user['id']}"
    headers = {**auth(), "If-Match": '"1"'}
    assert_problem(client.patch(url, json={}, headers=headers), 422)
    body = assert_problem(client.patch(url, json={"name": None}, headers=headers), 422)
    assert "name" in body["detail"] or "name" in str(body["errors"])


def test_invalid_json_is_422(client: TestClient) -> None:
    response = client.post(
        USERS, content=b"{not json", headers={**auth(), "Content-Type": "application/json"}
    )
    assert_problem(response, 422)


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    huge = {"name": "A", "email": "a@example.com", "bio": "x" * 70_000}
    assert_problem(client.post(USERS, json=huge, headers=auth()), 413)


def test_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1024

    response = client.post(
        USERS, content=chunks(), headers={**auth(), "Content-Type": "application/json"}
    )
    assert_problem(response, 413)


def test_unknown_path_is_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing"), 404)


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/health", "/api/v1/users", "/api/v1/users/{user_id}", "/api/v1/metrics"} <= set(
        spec["paths"]
    )
