"""The HTML renderer without a browser: missing figures and hostile text."""

from __future__ import annotations

from datetime import UTC, datetime

from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.report.model import Report, WorkEntry
from portfolio.report.render.html import render_html
from portfolio.sources.local import LocalSource
from portfolio.store.sqlite import SQLiteStore


def _empty_report(tmp_path: object) -> Report:
    store = SQLiteStore(f"{tmp_path}/empty.db")
    period = Period.parse("2025-08", "Asia/Tokyo")
    source = LocalSource(store)
    report = compute_report(
        source.observe(period), Settings(), previous=None,
        now=datetime(2025, 9, 1, tzinfo=UTC), prices=load_prices(),
    )  # fmt: skip
    store.close()
    return report


def test_a_month_without_data_shows_no_data_boxes_not_numbers(tmp_path: object) -> None:
    report = _empty_report(tmp_path)
    for lang, words in (("ja", "データなし"), ("en", "no data")):
        html = render_html(report, lang)  # type: ignore[arg-type]
        boxes = html.count('class="nodata-text"')
        # daily, by hour, weekly, mix, cost and burn-down have nothing to draw
        assert boxes == 6, boxes
        assert html.count(f">{words}</text>") == boxes
        assert "<script" not in html
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_recorded_text_is_escaped(tmp_path: object) -> None:
    report = _empty_report(tmp_path)
    report.work.improvements.append(
        WorkEntry(at=datetime(2025, 8, 3, tzinfo=UTC), kind="improvement",
                  summary="<img src=x onerror=alert(1)> **bold** `code`")
    )  # fmt: skip
    html = render_html(report, "en")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; <strong>bold</strong> <code>code</code>" in html
