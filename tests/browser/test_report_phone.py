"""The report page read on a 390 px phone and printed: what a reader can and cannot use.

Measured in Chromium, not guessed from the CSS: every element stays inside the viewport
(or inside a box that scrolls), no word in a table cell is broken over two lines,
every chart's text is drawn at least 12 px on the phone and 11 px on A4, and the
printed page carries neither screen-only wording nor a period that reads as if it
included the next month.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from portfolio.report.render.text import Lang, t
from tests.browser.conftest import PHONE, Watch, screenshot

pytestmark = pytest.mark.slow

A4_CONTENT_PX = 703
"""An A4 page less the report's 12 mm side margins, in CSS pixels (96 per inch)."""

OUTSIDE = """() => {
  const vw = window.innerWidth;
  const scroller = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return a;
    }
    return null;
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (el.ownerSVGElement) continue;  // a chart's marks: its <svg> is measured instead
    if (r.width === 0 || r.right <= 0) continue;  // hidden, or parked off-screen (skip link)
    if (r.left >= -0.5 && r.right <= vw + 0.5) continue;
    const box = scroller(el);
    if (box && box.getBoundingClientRect().right <= vw + 0.5) continue;
    out.push(`${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className}`);
  }
  return out;
}"""

BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        // Japanese text may break between any two characters; a Latin word may not,
        // nor a short label of any script ("第1週", "安定").
        if (!/^[\\x21-\\x7e]+$/.test(m[0]) && [...m[0]].length > 8) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""

CHART_TEXT_PX = """() => [...document.querySelectorAll("svg.chart")].flatMap((svg) => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll("text")].map((text) => ({
    chart: svg.id || svg.getAttribute("aria-labelledby"),
    text: text.textContent,
    px: parseFloat(getComputedStyle(text).fontSize) * scale,
  }));
})"""


def _open(p: Page, out: Path, lang: str) -> None:
    p.goto((out / f"operations-report.{lang}.html").as_uri())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_phone_reads_every_table_and_chart(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch], lang: Lang
) -> None:
    out, _ = written
    p, watch = page
    p.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    _open(p, out, lang)
    assert p.evaluate(OUTSIDE) == []
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert p.evaluate(BROKEN_WORDS) == []
    texts = p.evaluate(CHART_TEXT_PX)
    assert len(texts) > 50
    small = [x for x in texts if x["px"] < 11.95]
    assert small == [], small[:5]
    screenshot(p, f"report-{lang}-phone")
    watch.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_printed_charts_keep_11_px_text_and_no_screen_wording(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch], lang: Lang
) -> None:
    out, _ = written
    p, watch = page
    p.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    p.emulate_media(media="print")
    _open(p, out, lang)
    small = [x for x in p.evaluate(CHART_TEXT_PX) if x["px"] < 11]
    assert small == [], small[:5]
    hover = t(lang, "chart.daily.hover")
    assert hover not in p.inner_text("body")
    p.emulate_media(media="screen")
    assert hover in p.inner_text("#fig-daily figcaption")
    watch.assert_clean()


def test_the_printed_pdf_does_not_ask_to_hover(written: tuple[Path, dict[str, Any]]) -> None:
    out, _ = written
    langs: tuple[Lang, ...] = ("ja", "en")
    for lang in langs:
        text = subprocess.run(
            ["pdftotext", str(out / f"operations-report.{lang}.pdf"), "-"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        assert t(lang, "chart.daily.hover")[:12] not in "".join(text.split()), lang


def test_the_header_period_ends_on_the_months_last_day(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch]
) -> None:
    out, _ = written
    p, _watch = page
    _open(p, out, "en")
    header = p.inner_text("header.doc p")
    assert "2025-08-01 – 2025-08-31" in header
    assert "09-01" not in header
    timeline = p.inner_text("#fig-timeline figcaption")
    assert "2025-08-31" in timeline
    assert "09-01" not in timeline


def test_the_cost_chart_names_services_as_the_cost_table_does(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch]
) -> None:
    out, _ = written
    p, _watch = page
    langs: tuple[Lang, ...] = ("ja", "en")
    for lang in langs:
        _open(p, out, lang)
        service = t(lang, "c.service")
        table = p.locator("main table").filter(has=p.locator(f"thead th:text-is('{service}')"))
        names = set(table.first.locator("tbody th").all_inner_texts())
        labels = p.locator("#fig-costs text.rowlabel").all_text_contents()
        assert labels
        assert set(labels) <= names, (lang, set(labels) - names)


def test_each_table_column_has_one_alignment(
    written: tuple[Path, dict[str, Any]], page: tuple[Page, Watch]
) -> None:
    out, _ = written
    p, _watch = page
    _open(p, out, "ja")
    mixed = p.evaluate("""() => {
      const mixed = [];
      for (const table of document.querySelectorAll("main table")) {
        const columns = new Map();
        for (const row of table.tBodies[0].rows) {
          [...row.cells].forEach((cell, i) => {
            if (i === 0 || cell.classList.contains("mark")) return;
            const set = columns.get(i) ?? new Set();
            set.add(getComputedStyle(cell).textAlign);
            columns.set(i, set);
          });
        }
        for (const [i, set] of columns) {
          if (set.size > 1) mixed.push(`${table.tHead.rows[0].cells[i].textContent} (${i})`);
        }
      }
      return mixed;
    }""")
    assert mixed == []
