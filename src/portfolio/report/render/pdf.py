"""The report as PDF: the HTML page printed by headless Chromium.

Why Chromium and not WeasyPrint: the PDF must look like the page people open, and
Chromium is the engine that renders it (inline SVG, CSS grid, @page margin boxes);
the browser tests already need it, so the PDF adds no engine and no Python
dependency. Chromium is driven through its own DevTools pipe (render/devtools.py)
rather than Playwright so the API's container image does not carry a browser driver;
one browser start prints every language.

Chromium runs with a fresh profile and with every background service off: on a
machine without network access it otherwise waits for them and hangs.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from portfolio.errors import ConfigError, RenderError
from portfolio.report.render.devtools import DevToolsPipe

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried in order when PORTFOLIO_CHROMIUM does not name one."""

FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)


def find_browser() -> str:
    """The Chromium to print with; ConfigError naming how to install one when there is none."""
    named = os.environ.get("PORTFOLIO_CHROMIUM")
    if named:
        found = shutil.which(named)
        if found is None:
            raise ConfigError(f"PORTFOLIO_CHROMIUM={named} is not an executable")
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise ConfigError(
        "the PDF report needs Chromium: install it (Debian: apt-get install chromium"
        " fonts-noto-cjk fonts-noto-color-emoji) or set PORTFOLIO_CHROMIUM to its path"
    )


FONTS = {
    "fonts-noto-cjk": ":lang=ja",  # without it the Japanese report prints as empty boxes
    "fonts-noto-color-emoji": ":charset=2705",  # the KPI marks ✅ ⚠️ ❌
}
"""Debian font packages the PDF needs, with the fontconfig pattern that finds them."""


def missing_packages() -> list[str]:
    """The Debian packages the PDF needs and this machine lacks (empty: the PDF can print).

    Asked before printing so a caller can write every other format and say in one line
    what to install, instead of failing after the other files.
    """
    missing = []
    try:
        find_browser()
    except ConfigError:
        missing.append("chromium")
    fc_list = shutil.which("fc-list")
    for package, pattern in FONTS.items():
        if fc_list is None:
            missing.append(package)
            continue
        # Our fixed arguments to fontconfig's own lister; no shell is involved.
        listed = subprocess.run(  # noqa: S603
            [fc_list, pattern, "family"], capture_output=True, text=True, check=False
        )
        if "noto" not in listed.stdout.lower():
            missing.append(package)
    return missing


def print_pdfs(jobs: Sequence[tuple[Path, Path]], *, timeout_s: float = 120.0) -> None:
    """Print each (html file, pdf file) pair in one browser session.

    Starting Chromium is a large part of a PDF's cost, so one browser prints every page:
    each page in a tab of its own, loaded side by side and printed side by side.
    """
    browser = find_browser()
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses root otherwise
    deadline = time.monotonic() + timeout_s
    for _, pdf in jobs:
        pdf.unlink(missing_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="portfolio-chromium-") as profile,
        (Path(profile) / "stderr.log").open("w+b") as stderr,
    ):
        args = [browser, *FLAGS, *sandbox, f"--user-data-dir={Path(profile) / 'user'}"]
        browser_session = DevToolsPipe(args, stderr=stderr, deadline=deadline)
        try:
            _print(browser_session, jobs)
        except RenderError as error:
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace").strip().splitlines()[-3:]
            raise RenderError(f"{error}: {' | '.join(tail)}" if tail else str(error)) from None
        finally:
            browser_session.close()


PRINT = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
"""Page.printToPDF's options: what Chromium's --print-to-pdf switch used (the page's
@page size and margins, its colours, no header or footer of the browser's own)."""


def _print(browser: DevToolsPipe, jobs: Sequence[tuple[Path, Path]]) -> None:
    sessions = []
    for html, _ in jobs:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        browser.call("Page.enable", session=session)
        navigated = browser.call("Page.navigate", {"url": html.resolve().as_uri()}, session)
        if "errorText" in navigated:
            raise RenderError(f"{html.name}: {navigated['errorText']}")
        sessions.append(session)
    for session in sessions:
        browser.event("Page.loadEventFired", session)
        # Fonts finish loading after the load event; a page printed before would fall back.
        browser.call(
            "Runtime.evaluate",
            {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
            session,
        )
    # Every page is asked at once: each tab prints in its own renderer, side by side.
    printing = [browser.send("Page.printToPDF", PRINT, session) for session in sessions]
    for command, (_, pdf) in zip(printing, jobs, strict=True):
        printed = browser.result(command)
        pdf.write_bytes(base64.b64decode(printed["data"]))
        if pdf.stat().st_size == 0:
            raise RenderError(f"{pdf.name}: Chromium printed an empty file")
