"""Writing the report: the files a browser prints come after every other file.

The PDF waits for Chromium; Markdown, JSON, HTML and CSV must be on disk before it
starts, whatever order the formats were asked in, so they never wait for the browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.report.model import Report
from portfolio.report.write import PRINTED, WRITERS, Language, write_report
from tests.report.conftest import SimulatedMonth


def test_every_other_format_is_on_disk_before_the_pdf_starts(
    simulated: SimulatedMonth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_at_print: list[str] = []

    def fake_print(report: Report, langs: list[Language], out: Path) -> list[Path]:
        # Stands in for Chromium: records what was already written when printing began.
        seen_at_print.extend(sorted(path.name for path in out.iterdir()))
        return []

    monkeypatch.setitem(WRITERS, "pdf", fake_print)
    asked = ["pdf", "html", "md", "json", "csv"]
    written = write_report(simulated.report, tmp_path, formats=asked, langs=["ja", "en"])
    assert seen_at_print == sorted(path.name for path in written)
    assert {"report.json", "operations-report.ja.md", "operations-report.en.html"} <= set(
        seen_at_print
    )


def test_only_the_pdf_is_printed_by_a_browser() -> None:
    assert set(PRINTED) == {"pdf"}
    assert set(WRITERS) >= PRINTED
