"""The portfolio and status pages in a real browser against a real server and store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from portfolio.store.sqlite import SQLiteStore
from tests.browser.conftest import Watch, screenshot
from tests.browser.seed import seed_all, simulate_outage, utc_now
from tests.server import ServerProcess

pytestmark = pytest.mark.slow


def _serve(db: Path) -> Iterator[ServerProcess]:
    # Without its own telemetry the server's figures stay the seeded ones while the
    # page and the test both read them.
    # No status cache: the test writes an outage and expects the very next load to show it.
    server = ServerProcess(
        db, PORTFOLIO_TELEMETRY__ENABLED="false", PORTFOLIO_API__STATUS_CACHE_S="0"
    )
    server.start()
    try:
        yield server
    finally:
        server.terminate()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("site") / "site.db"
    store = SQLiteStore(db)
    seed_all(store, now=utc_now())
    store.close()
    yield from _serve(db)


def _loaded(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("body[data-loaded=true]")).to_have_count(1, timeout=15000)


def test_portfolio_page_shows_every_user_from_the_api(
    seeded: ServerProcess, page: tuple[Page, Watch]
) -> None:
    p, watch = page
    p.goto(seeded.base_url + "/")
    api = httpx.get(seeded.base_url + "/api/v1/users?limit=100").json()["items"]
    cards = p.locator("#people .card")
    expect(cards).to_have_count(len(api))
    assert cards.locator("h3").all_inner_texts() == [u["name"] for u in api]
    assert p.locator("#people-state").inner_text().startswith(f"{len(api)} 人")
    assert p.locator("html").get_attribute("lang") == "ja"
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.className") == "skip"
    screenshot(p, "portfolio")
    watch.assert_clean()


def test_status_page_shows_what_the_api_says(
    seeded: ServerProcess, page: tuple[Page, Watch]
) -> None:
    p, watch = page
    _loaded(p, seeded.base_url + "/status.html")
    status = httpx.get(seeded.base_url + "/api/v1/status").json()

    assert p.locator("#current").get_attribute("data-state") == status["current"]["state"] == "up"
    assert p.locator("#uptime-total").inner_text() == f"{status['uptime_percent']:.3f} %"
    bars = p.locator("svg.bars rect.day")
    expect(bars).to_have_count(len(status["days"]))
    shown = [(b.get_attribute("data-date"), b.get_attribute("data-uptime")) for b in bars.all()]
    expected = [
        (d["date"], "" if d["uptime_percent"] is None else _js_number(d["uptime_percent"]))
        for d in status["days"]
    ]
    assert shown == expected
    classes = [(b.get_attribute("class") or "").split()[-1] for b in bars.all()]
    assert classes == [_band(d["uptime_percent"]) for d in status["days"]]
    assert {"ok", "none"} <= set(classes)  # probed days and the 70 days without probes
    assert {"warn", "bad"} & set(classes)  # the seeded 30-minute outage

    incidents = p.locator("#incidents li.incident")
    expect(incidents).to_have_count(len(status["incidents"]))
    assert [i.get_attribute("data-incident-id") for i in incidents.all()] == [
        i["id"] for i in status["incidents"]
    ]
    assert {i["kind"] for i in status["incidents"]} == {"outage", "recorded"}

    # The latency chart draws the busiest endpoint's hourly p95, point for point.
    window_start = p.evaluate(
        "(() => { const e = new Date(); e.setUTCMinutes(0,0,0);"
        " e.setUTCHours(e.getUTCHours()+1); return [new Date(e - 864e5).toISOString(),"
        " e.toISOString()]; })()"
    )
    metrics = httpx.get(
        seeded.base_url + "/api/v1/metrics",
        params={"start": window_start[0], "end": window_start[1], "step": "hour"},
    ).json()
    busiest = max(metrics["summary"]["by_endpoint"].items(), key=lambda kv: kv[1])[0]
    assert p.locator("#endpoint").input_value() == busiest
    series = next(s for s in metrics["series"] if s["endpoint"] == busiest)
    dots = p.locator("svg.latency circle.p95")
    assert [float(d.get_attribute("data-value") or "nan") for d in dots.all()] == [
        pt["latency_ms"]["p95"] for pt in series["points"]
    ]
    assert p.locator("#requests").inner_text() == str(metrics["summary"]["count"])
    screenshot(p, "status")

    # Choosing another endpoint by keyboard redraws the chart from its own series.
    other = next(s for s in metrics["series"] if s["endpoint"] != busiest)
    p.locator("#endpoint").focus()
    p.locator("#endpoint").select_option(other["endpoint"])
    expect(dots).to_have_count(len(other["points"]))
    watch.assert_clean()


def test_status_page_shows_a_simulated_outage(tmp_path: Path, page: tuple[Page, Watch]) -> None:
    db = tmp_path / "outage.db"
    store = SQLiteStore(db)
    now = utc_now()
    last_probe = seed_all(store, now=now)
    for server in _serve(db):
        p, watch = page
        before = httpx.get(server.base_url + "/api/v1/status").json()
        assert before["current"]["state"] == "up"

        # The prober's failures, as it would write them, from the last good probe to now.
        assert simulate_outage(store, after=last_probe, now=utc_now()) >= 5
        _loaded(p, server.base_url + "/status.html")
        status = httpx.get(server.base_url + "/api/v1/status").json()
        assert status["current"]["state"] == "down"
        expect(p.locator("#current")).to_have_attribute("data-state", "down")
        assert "停止中" in p.locator("#current").inner_text()
        today = p.locator("svg.bars rect.day").last
        assert today.get_attribute("data-uptime") == _js_number(
            status["days"][-1]["uptime_percent"]
        )
        assert status["days"][-1]["uptime_percent"] < (before["days"][-1]["uptime_percent"] or 100)
        ongoing = [i for i in status["incidents"] if i["kind"] == "outage" and i["end"] is None]
        assert len(ongoing) == 1
        assert len([i for i in status["incidents"] if i["kind"] == "outage"]) == 2  # + seeded
        first = p.locator("#incidents li.incident").first
        assert first.get_attribute("data-incident-id") == ongoing[0]["id"]
        assert "継続中" in first.inner_text()
        screenshot(p, "status-outage")
        watch.assert_clean()
    store.close()


def _js_number(value: float) -> str:
    """How JavaScript prints a number set as an attribute (99.5, 100, 97.222)."""
    return str(int(value)) if value == int(value) else repr(value)


def _band(uptime: float | None) -> str:
    if uptime is None:
        return "none"
    return "ok" if uptime >= 99.9 else "warn" if uptime >= 99 else "bad"
