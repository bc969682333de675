"""The HTML and PDF report, written by the real CLI from a seeded store, read back.

The HTML is opened in Chromium (no console errors, no requests beyond the file,
charts carrying the report's figures); the PDF's first page is rendered with
pdftoppm and read with pdftotext.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portfolio.report.render.text import t
from tests.browser.conftest import ARTIFACTS, Watch, screenshot
from tests.report.original import original_text, parse

pytestmark = pytest.mark.slow


def test_the_default_names_are_written_beside_the_per_language_files(
    written: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = written
    for name in ("html", "ja.html", "en.html", "pdf", "ja.pdf", "en.pdf"):
        assert (out / f"operations-report.{name}").stat().st_size > 10_000, name
    assert (out / "operations-report.html").read_bytes() == (
        out / "operations-report.ja.html"
    ).read_bytes()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_html_report_renders_its_charts_from_the_report(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch], lang: str
) -> None:
    out, report = written
    p, watch = page
    p.goto((out / f"operations-report.{lang}.html").as_uri())
    title = t(lang, "h.title", env=report["document"]["environment"])  # type: ignore[arg-type]
    assert p.title() == title
    assert p.locator("h1").inner_text() == title
    assert p.locator("html").get_attribute("lang") == lang
    sections = [text for level, text in parse(original_text())[0] if level == 2]
    # Ours adds 前月からの変化 right after 運用実績サマリー, and the appendix at the end.
    at = sections.index("運用実績サマリー") + 1
    sections = [*sections[:at], t("ja", "h.changes"), *sections[at:]]
    h2 = p.locator("main h2").all_inner_texts()
    if lang == "ja":
        assert h2 == [*sections, "付録"]
    else:
        assert len(h2) == len(sections) + 1
        assert h2[at] == t("en", "h.changes")

    # The key indicators come first: tiles above the first section, on the first screen.
    tiles = p.locator("section.tiles .tile")
    expect(tiles).to_have_count(4)
    first = tiles.first.bounding_box()
    document = p.locator("main h2").first.bounding_box()
    assert first is not None
    assert document is not None
    assert first["y"] < document["y"]
    assert first["y"] + first["height"] < (p.viewport_size or {"height": 720})["height"]
    # The table of 31 days folds under its chart.
    daily_table = p.locator("details.data table")
    expect(daily_table).to_have_count(1)
    expect(daily_table).to_be_hidden()

    figures = p.locator("figure.chart-figure")
    expect(figures).to_have_count(7)
    for svg in p.locator("figure svg[role=img]").all():
        assert (svg.locator(":scope > title").text_content() or "").strip()
        assert (svg.locator(":scope > desc").text_content() or "").strip()

    daily = report["traffic"]["daily"]
    bars = p.locator("#fig-daily rect.bar")
    expect(bars).to_have_count(len(daily))
    tips = bars.locator("title").all_text_contents()
    for day, tip in zip(daily, tips, strict=True):
        assert tip.startswith(day["date"])
        assert f"{day['requests']:,}" in tip
    p95 = [h["p95_ms"] for h in report["performance"]["by_hour"] if h["p95_ms"] is not None]
    expect(p.locator("#fig-hourly circle")).to_have_count(
        len(p95) + len([h for h in report["performance"]["by_hour"] if h["p50_ms"] is not None])
    )
    expect(p.locator("#fig-mix rect.bar")).to_have_count(len(report["traffic"]["by_endpoint"]))
    incidents = report["incidents"]
    assert incidents, "the seeded outage is an incident"
    expect(p.locator("#fig-timeline rect, #fig-timeline path")).to_have_count(len(incidents))
    expect(p.locator("#fig-budget polyline")).to_have_count(2)

    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.className") == "skip"
    if lang == "ja":
        assert "Noto Sans CJK JP" in _fonts_of(p, "h1")
    # ✅ / ⚠️ / ❌ are emoji: without an emoji font they print as empty boxes.
    p.evaluate(
        "[...document.querySelectorAll('td.mark')].find(e => e.textContent !== '—')"
        ".id = 'emoji-probe'"
    )
    assert "Noto Color Emoji" in _fonts_of(p, "#emoji-probe")
    screenshot(p, f"report-{lang}")
    assert watch.requests == [(out / f"operations-report.{lang}.html").as_uri()]
    watch.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_html_report_fits_a_phone_without_horizontal_scroll(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch], lang: str
) -> None:
    out, _ = written
    p, watch = page
    p.set_viewport_size({"width": 390, "height": 844})
    p.goto((out / f"operations-report.{lang}.html").as_uri())
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    # Wide tables scroll inside their own box, never the page.
    for box in p.locator("main").all():
        assert (box.bounding_box() or {"width": 0})["width"] <= 390
    screenshot(p, f"report-{lang}-390", full_page=False)
    watch.assert_clean()


def test_html_report_follows_the_dark_colour_scheme(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch]
) -> None:
    out, _ = written
    p, watch = page

    def luminance(css: str) -> float:
        r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    p.goto((out / "operations-report.ja.html").as_uri())
    light_bg = p.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    p.emulate_media(color_scheme="dark")
    dark_bg = p.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    dark_ink = p.evaluate("getComputedStyle(document.querySelector('main p, main li')).color")
    assert luminance(light_bg) > 0.9
    assert luminance(dark_bg) < 0.2
    assert luminance(dark_ink) > 0.7  # light text on the dark page
    screenshot(p, "report-ja-dark", full_page=False)
    watch.assert_clean()


def _fonts_of(p: Page, selector: str) -> list[str]:
    """The fonts Chromium actually drew the element's text with (DevTools protocol)."""
    cdp = p.context.new_cdp_session(p)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts]


def test_pdf_first_page_has_the_title_and_is_not_blank(
    written: tuple[Path, dict[str, Any]],
) -> None:
    out, report = written
    pdf = out / "operations-report.pdf"
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    title = t("ja", "h.title", env=report["document"]["environment"])
    flat = " ".join(text.split())
    assert title in flat, text[:300]
    # Page 1 carries the key indicators, read from the tiles.
    assert t("ja", "h.summary.kpis") in flat
    assert t("ja", "k.availability") in flat

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / "report-pdf-page1"
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    assert stem.with_suffix(".png").stat().st_size > 10_000
    gray = subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-gray", "-singlefile", str(pdf)],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    ratio = _ink_ratio(gray)
    assert 0.01 < ratio < 0.6, f"share of non-white pixels on page 1: {ratio:.4f}"


def test_pdf_keeps_each_kpi_table_on_one_page(written: tuple[Path, dict[str, Any]]) -> None:
    """A table that fits on a page is not split: its header and last row share a page."""
    out, _ = written
    pdf = out / "operations-report.ja.pdf"
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout.split("\f")
    tables = {"技術KPI": "セキュリティインシデント", "運用KPI": "ドキュメント更新率",
              "コストKPI": "予算達成率"}  # fmt: skip
    for heading, last in tables.items():
        page = next(p for p in pages if heading in [line.strip() for line in p.splitlines()])
        assert last in page.split(heading, 1)[1], f"{heading}: its last row is on another page"


def _ink_ratio(pgm: bytes) -> float:
    """Share of pixels darker than near-white in a binary PGM (P5) image."""
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", pgm)
    assert header, pgm[:20]
    width, height = int(header[1]), int(header[2])
    pixels = pgm[header.end() : header.end() + width * height]
    assert len(pixels) == width * height
    return sum(1 for value in pixels if value < 240) / len(pixels)
