"""The portfolio and status pages in a real browser against a real server and store."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from portfolio.store.sqlite import SQLiteStore
from tests.browser.conftest import PHONE, Watch, horizontal_overflow, screenshot
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


CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
DOUBLED = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff…）] / [A-Za-z]")
"""A label said twice, "稼働状況 / Status": what one language per page replaces."""
ENGLISH_LABELS = ("Status", "Loading", "Current health", "Last probe", "Uptime", "Daily uptime",
                  "Response time", "Endpoint", "Requests", "Recent incidents", "People",
                  "Skip to content", "no data", "Outage", "Operational")  # fmt: skip
PAGES = ("/", "/status.html")


def _page_text(p: Page) -> str:
    """What a reader sees of the page's own words: all of it but the language switch."""
    return str(
        p.evaluate(
            "(() => { const body = document.body.cloneNode(true);"
            " body.querySelector('#lang-switch')?.remove(); body.querySelector('.skip')?.remove();"
            " return body.innerText + ' ' + document.title; })()"
        )
    )


def _ready(p: Page, path: str) -> None:
    if path == "/status.html":
        expect(p.locator("body[data-loaded=true]")).to_have_count(1, timeout=15000)
    else:
        expect(p.locator("#people .card").first).to_be_visible(timeout=15000)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_fit_a_phone_in_both_colour_schemes(
    path: str, scheme: Literal["light", "dark"], seeded: ServerProcess, open_page: Any
) -> None:
    p, watch = open_page(viewport=PHONE, color_scheme=scheme)
    p.goto(seeded.base_url + path)
    _ready(p, path)
    assert horizontal_overflow(p) == 0
    page_bg = _luminance(p.evaluate("getComputedStyle(document.documentElement).backgroundColor"))
    ink = _luminance(p.evaluate("getComputedStyle(document.documentElement).color"))
    if scheme == "dark":
        assert page_bg < 0.05 < 0.6 < ink
    else:
        assert ink < 0.05 < 0.9 < page_bg
    assert (ink + 0.05) / (page_bg + 0.05) >= 4.5 or (page_bg + 0.05) / (ink + 0.05) >= 4.5
    screenshot(p, f"{path.strip('/').removesuffix('.html') or 'portfolio'}-390-{scheme}")
    watch.assert_clean()


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_each_page_speaks_one_language_the_browsers(
    path: str, locale: str, seeded: ServerProcess, open_page: Any
) -> None:
    p, watch = open_page(locale=locale)
    p.goto(seeded.base_url + path)
    _ready(p, path)
    text = _page_text(p)
    users = httpx.get(seeded.base_url + "/api/v1/users?limit=100").json()["items"]
    for user in users:  # people's own profiles are in their own language
        for value in (user["name"], user.get("title"), user.get("bio")):
            text = text.replace(value or "\0", "")
    if locale == "ja-JP":
        assert p.locator("html").get_attribute("lang") == "ja"
        assert [label for label in ENGLISH_LABELS if label in text] == []
        assert DOUBLED.findall(text) == []
    else:
        assert p.locator("html").get_attribute("lang") == "en"
        assert CJK.findall(text) == []
    watch.assert_clean()


def test_the_language_switch_changes_the_page_and_is_remembered(
    seeded: ServerProcess, open_page: Any
) -> None:
    p, watch = open_page(locale="ja-JP")
    _loaded(p, seeded.base_url + "/status.html")
    assert p.locator("h1").inner_text() == "稼働状況"
    switch = p.locator("#lang-switch")
    assert switch.inner_text() == "English"
    switch.click()
    assert p.locator("html").get_attribute("lang") == "en"
    assert p.locator("h1").inner_text() == "Status"
    assert p.locator("#current").inner_text() == "Operational"
    assert CJK.findall(p.locator("#incidents").inner_text()) == []
    assert switch.inner_text() == "日本語"
    p.goto(seeded.base_url + "/")  # the other page, in the chosen language
    expect(p.locator("h1")).to_have_text("Portfolio")
    assert p.locator("html").get_attribute("lang") == "en"
    watch.assert_clean()


@pytest.mark.parametrize(("locale", "zone_name"), [("ja-JP", "JST"), ("en-US", "GMT+9")])
def test_status_times_say_their_zone_and_the_bars_their_dates(
    locale: str, zone_name: str, seeded: ServerProcess, open_page: Any
) -> None:
    # The browser is in New York: the page still shows the server's zone (Asia/Tokyo).
    p, watch = open_page(viewport=PHONE, locale=locale, timezone_id="America/New_York")
    _loaded(p, seeded.base_url + "/status.html")
    status = httpx.get(seeded.base_url + "/api/v1/status").json()
    assert status["timezone"] == "Asia/Tokyo"

    checked = status["current"]["checked_at"]
    tokyo = datetime.fromisoformat(checked).astimezone(ZoneInfo("Asia/Tokyo"))
    assert p.locator("#checked-at").inner_text() == f"{tokyo:%Y-%m-%d %H:%M} {zone_name}"
    for item in p.locator("#incidents li.incident").all():
        assert zone_name in item.inner_text()
    assert zone_name in p.locator("svg.latency").inner_html()  # the x-axis names its zone
    assert "Asia/Tokyo" in p.locator("#dates-zone").inner_text()
    assert "Asia/Tokyo" in p.locator("footer").inner_text()

    labels = p.locator(".bar-dates span")
    expect(labels).to_have_count(4)
    dates = [d["date"] for d in status["days"]]
    shown = [label.get_attribute("data-date") for label in labels.all()]
    assert shown[0] == dates[0]
    assert shown[-1] == dates[-1]
    assert shown == sorted(shown)
    last = date.fromisoformat(dates[-1])
    assert str(last.day) in labels.last.inner_text()
    for bar in p.locator("svg.bars rect.day").all()[:: len(dates) // 6]:  # tooltips
        assert (bar.get_attribute("data-date") or "?") in bar.locator("title").text_content()
    screenshot(p, f"status-390-{locale}")
    watch.assert_clean()


def test_latency_chart_reads_on_a_phone(seeded: ServerProcess, open_page: Any) -> None:
    p, watch = open_page(viewport=PHONE, color_scheme="dark")
    _loaded(p, seeded.base_url + "/status.html")
    chart = p.locator("svg.latency")
    box = chart.bounding_box()
    assert box is not None
    # The y-axis says its unit.
    assert "ms" in chart.locator("text.unit").first.inner_html()
    # The legend is beside the chart, not on its data.
    key = p.locator(".chart-key").bounding_box()
    assert key is not None
    assert key["y"] + key["height"] <= box["y"]
    # Every hour label is inside the chart, the last one too, and none overlaps the next.
    hours = [h.bounding_box() for h in chart.locator("text.hour").all()]
    assert len(hours) >= 4
    for inside in hours:
        assert inside is not None
        assert box["x"] - 0.5 <= inside["x"]
        assert inside["x"] + inside["width"] <= box["x"] + box["width"] + 0.5
    for left, right in itertools.pairwise(hours):
        assert left is not None
        assert right is not None
        assert left["x"] + left["width"] < right["x"]
    # Text is drawn at a size a phone can read (12 px, not 900 px scaled to 390).
    tick_px = p.evaluate(
        "document.querySelector('svg.latency text.tick').getBoundingClientRect().height"
    )
    assert tick_px >= 11
    screenshot(p, "status-chart-390-dark")
    watch.assert_clean()


def _luminance(css_colour: str) -> float:
    """Relative luminance (WCAG 2) of a computed `rgb(r, g, b)` colour."""
    r, g, b = (int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
