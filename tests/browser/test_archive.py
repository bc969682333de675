"""The archive's index in Chromium: a phone's 390 px and a desktop's 1280 px, light and dark.

Three months with known figures (tests/report/archive_months.py) over the session's real
report: the page never scrolls sideways (its table and charts scroll in their own boxes),
nothing is fetched but the file itself, the trends open and close without script, and a
month's link opens its report. Screenshots are kept for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from portfolio.report.archive import write_archive
from portfolio.report.model import Report
from tests.browser.conftest import PHONE, Watch, horizontal_overflow, screenshot
from tests.report.archive_months import KNOWN, write_months

pytestmark = pytest.mark.slow

SHOTS = Path("/work/helpers/shots-26")
"""Where the lead asked for the screenshots (besides test-artifacts/browser/)."""


@pytest.fixture(scope="module")
def index(written: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = Report.model_validate(written[1])
    reports = write_months(report, tmp_path_factory.mktemp("archive"))
    write_archive(reports)
    return reports


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", None)])
def test_the_index_fits_fetches_nothing_and_shows_every_month(
    open_page: Callable[..., tuple[Page, Watch]],
    index: Path,
    scheme: str,
    name: str,
    viewport: dict[str, int] | None,
) -> None:
    page, watch = open_page(viewport=viewport, color_scheme=scheme)
    page.goto((index / "index.html").as_uri())
    assert horizontal_overflow(page) == 0
    rows = page.locator("table.months tbody tr")
    assert rows.count() == len(KNOWN)
    assert page.locator("#trends svg.chart").count() == 6  # 4 KPIs, requests/day, costs
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert (background == "rgb(22, 24, 28)") is (scheme == "dark")
    shot = screenshot(page, f"archive-{name}-{scheme}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SHOTS / shot.name)
    watch.assert_clean()
    assert all(url.startswith("file://") for url in watch.requests), watch.requests


def test_the_trends_fold_and_a_months_link_opens_its_report(
    open_page: Callable[..., tuple[Page, Watch]], index: Path
) -> None:
    page, watch = open_page(viewport=PHONE)
    page.goto((index / "index.en.html").as_uri())
    chart = page.locator("#trends svg.chart").first
    assert chart.is_visible()
    page.locator("#trends > summary").click()
    assert not chart.is_visible()
    page.locator('tr[data-month="2025-07"] a', has_text="HTML").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("2025-07/operations-report.ja.html")
    watch.assert_clean()
