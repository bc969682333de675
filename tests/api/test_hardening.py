"""Issue 13: nobody can make the API fail, and what it answers is exactly what it documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from portfolio.api.app import create_app
from portfolio.config import Settings
from portfolio.names import SCANNER_ENDPOINT
from portfolio.security_rules import PERMISSION_USER_ROLE
from portfolio.store.protocols import Store
from portfolio.store.records import Rollup
from tests.api.test_users import PROBLEM, USERS, assert_problem, create
from tests.conftest import auth

METRICS = "/api/v1/metrics"


# -- 2. anonymous callers cannot cause 500s ------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"end": "0001-01-01T00:30:00Z"},
        {"start": "0001-01-01T00:00:00Z", "end": "0001-01-01T00:30:00Z"},
        {"end": "9999-12-31T23:59:59Z"},
        {"start": "2025-08-01T00:00:00"},  # no zone
    ],
)
def test_metrics_times_out_of_range_are_422(client: TestClient, params: dict[str, str]) -> None:
    assert_problem(client.get(METRICS, params=params), 422)


def test_overlong_user_ids_are_refused_before_the_store(client: TestClient) -> None:
    long_id = "A" * 2100
    assert_problem(client.get(f"{USERS}/{long_id}"), 422)
    assert_problem(
        client.patch(f"{USERS}/{long_id}", json={"name": "x"}, headers={**auth(), "If-Match": "*"}),
        422,
    )


# -- 3. what one anonymous metrics request may cost -----------------------------------


def test_long_metrics_ranges_need_a_key(client: TestClient) -> None:
    end = datetime(2025, 8, 1, tzinfo=UTC)
    params = {"start": (end - timedelta(days=61)).isoformat(), "end": end.isoformat()}
    anonymous = client.get(METRICS, params={**params, "step": "hour"})
    body = assert_problem(anonymous, 401)
    assert "API key" in body["detail"]
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(METRICS, params={**params, "step": "hour"}, headers=auth()).status_code == 200
    week = {"start": (end - timedelta(days=7)).isoformat(), "end": end.isoformat()}
    assert client.get(METRICS, params={**week, "step": "hour"}).status_code == 200
    day = {"start": (end - timedelta(days=1)).isoformat(), "end": end.isoformat()}
    assert_problem(client.get(METRICS, params={**day, "step": "minute"}), 401)  # 1,440 points
    assert client.get(METRICS, params={**day, "step": "minute"}, headers=auth()).status_code == 200


def test_closed_periods_are_served_from_the_cache(client: TestClient) -> None:
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    start = datetime(2025, 8, 1, tzinfo=UTC)
    params = {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}
    minute = int(start.timestamp())

    def add_request() -> None:
        rollup = Rollup(minute, "/health", "GET", 200, "t1", count=1)
        rollup.sketch.add(3.0)
        store.write_rollups([rollup])

    add_request()
    first = client.get(METRICS, params={**params, "step": "hour"})
    add_request()  # a late write into a closed period: the answer kept is reused
    second = client.get(METRICS, params={**params, "step": "hour"})
    assert first.json()["summary"]["count"] == 1
    assert second.content == first.content


# -- 6. input hygiene ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["nul\x00byte", "bell\x07", "esc\x1b[31m", "rtl\u202eevil", "iso\u2066x", " padded"]
)
def test_names_with_hidden_characters_are_refused(client: TestClient, name: str) -> None:
    body = assert_problem(
        client.post(USERS, json={"name": name, "email": "h@example.com"}, headers=auth()), 422
    )
    assert body["errors"][0]["field"] == "name"
    assert client.get(USERS).json()["items"] == []


def test_bio_keeps_line_breaks(client: TestClient) -> None:
    assert create(client, bio="line one\nline two\ttabbed")["bio"] == "line one\nline two\ttabbed"


@pytest.mark.parametrize("given", ["x" * 129, "evil\r\nSet-Cookie: a=b", "a b", "ü"])
def test_request_ids_that_are_long_or_strange_are_replaced(client: TestClient, given: str) -> None:
    response = client.get("/health", headers={"X-Request-Id": given.encode("utf-8")})  # type: ignore[dict-item]
    echoed = response.headers["X-Request-Id"]
    assert echoed != given
    assert len(echoed) == 32
    assert echoed.isalnum()


def test_a_plain_request_id_is_echoed(client: TestClient) -> None:
    assert (
        client.get("/health", headers={"X-Request-Id": "abc-123.x:y"}).headers["X-Request-Id"]
        == "abc-123.x:y"
    )


def test_too_many_or_too_large_headers_are_431(client: TestClient) -> None:
    many = {f"X-H{i}": "v" for i in range(5000)}
    assert_problem(client.get("/health", headers=many), 431)
    assert_problem(client.get("/health", headers={"X-Big": "v" * 1_000_000}), 431)


def test_anonymous_malformed_bodies_get_401_not_422(client: TestClient) -> None:
    broken = {"Content-Type": "application/json"}
    assert_problem(client.post(USERS, content=b"{not json", headers=broken), 401)
    assert_problem(
        client.patch(f"{USERS}/01ABC", content=b"[", headers={**broken, "If-Match": '"1"'}), 401
    )
    assert_problem(client.delete(f"{USERS}/01ABC", headers={"If-Match": "nonsense"}), 401)


# -- 9. security headers and /docs without a CDN --------------------------------------


def test_every_answer_carries_security_headers(client: TestClient) -> None:
    for path in ("/health", USERS, "/api/v1/nothing", "/docs"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    api = client.get(USERS).headers["Content-Security-Policy"]
    assert api.startswith("default-src 'none'")


def test_hsts_only_over_https(client: TestClient) -> None:
    behind_tls = client.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.headers["Strict-Transport-Security"].startswith("max-age=")


def test_site_pages_get_a_csp_without_inline_code(client: TestClient) -> None:
    page = client.get("/")
    if page.status_code != 200:
        pytest.fail("the checkout's web/ should be served at / in tests")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_docs_load_nothing_from_another_origin(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "://" not in page.text
    assert "<script>" not in page.text  # no inline script: the CSP allows 'self' only
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    for asset in (
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/init.js",
    ):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404


# -- 5. the OpenAPI contract ---------------------------------------------------------


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.put(f"{USERS}/01ABC", json={}, headers=auth())
    assert_problem(response, 405)
    assert response.headers["Allow"] == "DELETE, GET, HEAD, PATCH"


def test_errors_are_documented_as_problem_json(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and path != "/health":
                    assert list(response["content"]) == [PROBLEM], (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    patch = spec["paths"][f"{USERS}/{{user_id}}"]["patch"]
    if_match = next(p for p in patch["parameters"] if p["name"].lower() == "if-match")
    assert if_match["required"] is True
    assert patch["security"] == [{"bearer": []}]


def test_the_last_page_has_next_cursor_null(client: TestClient) -> None:
    create(client)
    page = client.get(USERS).json()
    assert "next_cursor" in page
    assert page["next_cursor"] is None
    assert "email" not in page["items"][0]  # still hidden from anonymous callers


# -- issue 11: permission changes and scanner probes ---------------------------------


def test_a_role_change_is_recorded_without_the_email(client: TestClient) -> None:
    user = create(client, email="secret-person@example.com")
    url = f"{USERS}/{user['id']}"
    assert (
        client.patch(url, json={"role": "admin"}, headers={**auth(), "If-Match": '"1"'}).status_code
        == 200
    )
    assert (
        client.patch(url, json={"role": "admin"}, headers={**auth(), "If-Match": '"2"'}).status_code
        == 200
    )
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    items = [
        i
        for i in store.list_work_items(now - timedelta(hours=1), now + timedelta(hours=1))
        if i.kind == PERMISSION_USER_ROLE
    ]
    assert len(items) == 1  # the second PATCH changed nothing
    assert user["id"] in items[0].summary
    assert "viewer → admin" in items[0].summary
    assert "secret-person" not in items[0].summary


def test_scanner_probes_have_their_own_endpoint_name(client: TestClient) -> None:
    for path in ("/wp-login.php", "/.env", "/no/such/page"):
        assert client.get(path).status_code == 404
    client.app.state.runtime.recorder.flush()  # type: ignore[attr-defined]
    by_endpoint = client.get(METRICS).json()["summary"]["by_endpoint"]
    assert by_endpoint[SCANNER_ENDPOINT] == 2
    assert by_endpoint["(unmatched)"] == 1


def test_cors_preflights_are_answered_outside_the_api_s_own_requests(
    settings: Settings, store: Store
) -> None:
    """A browser's preflight gets CORS headers and is not counted; real answers get both."""
    site = "https://site.example"
    cors = settings.model_copy(
        update={"api": settings.api.model_copy(update={"cors_origins": [site]})}
    )
    with TestClient(create_app(cors, store=store, configure_logs=False)) as client:
        preflight = client.options(
            USERS,
            headers={"Origin": site, "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization, content-type"},
        )  # fmt: skip
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == site
        answer = client.get(USERS, headers={"Origin": site})
        assert answer.headers["access-control-allow-origin"] == site
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "x-request-id" in answer.headers
        refused = client.get("/health", headers={"Origin": site, "X-Big": "v" * 1_000_000})
        assert refused.status_code == 431
        assert refused.headers["access-control-allow-origin"] == site  # readable by the page
        client.app.state.runtime.recorder.flush()  # type: ignore[attr-defined]
        summary = client.get(METRICS).json()["summary"]
    assert summary["count"] == 2  # the GET and the 431; the preflight is not the API's
    assert "OPTIONS" not in str(summary)
