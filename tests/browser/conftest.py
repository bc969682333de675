"""Playwright on Debian's Chromium, a real `portfolio serve`, and a watch on every page.

The browser is the system's (``/usr/bin/chromium``, installed by
scripts/ensure-sysdeps.sh): Playwright's own browser download cannot work here,
and a missing browser must fail the run, not skip it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    sync_playwright,
)

from portfolio.report.render.pdf import BROWSERS
from portfolio.store.records import ProbeResult
from portfolio.store.sqlite import SQLiteStore
from tests.browser.seed import seed_traffic

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is not installed: run `make sysdeps` (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in
    # this thread while it is open, which breaks asyncio.run() in any test run meanwhile.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class Watch:
    """Console errors and failed requests of one page: each test asserts there were none."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.errors.append(f"uncaught: {error}")

    def request(self, request: Request) -> None:
        self.requests.append(request.url)

    def request_failed(self, request: Request) -> None:
        self.failed.append(f"{request.url}: {request.failure}")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    watch = Watch()
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    page.on("request", watch.request)
    page.on("requestfailed", watch.request_failed)
    page.on("response", watch.response)
    yield page, watch
    context.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saved under test-artifacts/browser/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 5000, f"{path} looks empty"
    return path


PHONE = {"width": 390, "height": 844}
"""An iPhone 12-14 viewport in CSS pixels: the width a page must fit without scrolling."""


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., tuple[Page, Watch]]]:
    """A page factory for a viewport, language, colour scheme and zone; each page is watched."""
    contexts: list[BrowserContext] = []

    def make(
        *,
        viewport: dict[str, int] | None = None,
        locale: str = "ja-JP",
        color_scheme: Literal["light", "dark"] = "light",
        timezone_id: str | None = None,
    ) -> tuple[Page, Watch]:
        context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 900},  # type: ignore[arg-type]
            locale=locale,
            color_scheme=color_scheme,
            timezone_id=timezone_id,
        )
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        page.on("console", watch.console)
        page.on("pageerror", watch.page_error)
        page.on("request", watch.request)
        page.on("requestfailed", watch.request_failed)
        page.on("response", watch.response)
        return page, watch

    yield make
    for context in contexts:
        context.close()


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


REPORT_MONTH = "2025-08"
REPORT_ZONE = ZoneInfo("Asia/Tokyo")


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """`portfolio report --format all` over 5 days of traffic and probes with one outage.

    Once a session: the report tests of every module read the same files.
    """
    root = tmp_path_factory.mktemp("report")
    store = SQLiteStore(root / "report.db")
    start = datetime(2025, 8, 4, tzinfo=REPORT_ZONE)
    seed_traffic(store, start=start, hours=24 * 5)
    probes = [
        ProbeResult(at=start + timedelta(minutes=m), ok=not (3000 <= m < 3012),
                    latency_ms=4.0, status=200)
        for m in range(0, 24 * 60 * 5, 2)
    ]  # fmt: skip
    store.write_probe_results(probes)
    store.close()
    out = root / "out"
    subprocess.run(
        [sys.executable, "-m", "portfolio", "report", "--month", REPORT_MONTH, "--db",
         str(root / "report.db"), "--format", "all", "--out", str(out)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out, json.loads((out / "report.json").read_text(encoding="utf-8"))
