"""The report as PDF: the HTML page printed by headless Chromium.

Why Chromium and not WeasyPrint: the PDF must look like the page people open, and
Chromium is the engine that renders it (inline SVG, CSS grid, @page margin boxes);
the browser tests already need it, so the PDF adds no engine and no Python
dependency. Chromium is driven through its own ``--print-to-pdf`` switch rather
than Playwright so the API's container image does not carry a browser driver.

Chromium runs with a fresh profile and with every background service off: on a
machine without network access it otherwise waits for them and hangs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from portfolio.errors import ConfigError, RenderError

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
    "--no-pdf-header-footer",
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
        " fonts-noto-cjk) or set PORTFOLIO_CHROMIUM to its path"
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
    """Print each (html file, pdf file) pair; the browsers run side by side.

    One browser process per file keeps each run independent; running them at once
    halves the wall time of the ja + en pair.
    """
    browser = find_browser()
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses root otherwise
    with tempfile.TemporaryDirectory(prefix="portfolio-chromium-") as profiles:
        running = []
        for index, (html, pdf) in enumerate(jobs):
            args = [
                browser, *FLAGS, *sandbox,
                f"--user-data-dir={Path(profiles) / str(index)}",
                f"--print-to-pdf={pdf}",
                html.resolve().as_uri(),
            ]  # fmt: skip
            pdf.unlink(missing_ok=True)
            running.append(
                # The arguments are our flags and paths we made; no shell is involved.
                (pdf, subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))  # noqa: S603
            )
        failures = []
        for pdf, process in running:
            try:
                _, err = process.communicate(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                failures.append(f"{pdf.name}: Chromium did not finish in {timeout_s:.0f} s")
                continue
            if process.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
                tail = err.decode(errors="replace").strip().splitlines()[-3:]
                failures.append(f"{pdf.name}: exit {process.returncode}: {' | '.join(tail)}")
        if failures:
            raise RenderError("; ".join(failures))
