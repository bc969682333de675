"""The PDF printer: every language from one Chromium start, over its DevTools pipe."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from portfolio.errors import RenderError
from portfolio.report.render import devtools
from portfolio.report.render.pdf import print_pdfs


def _page(path: Path, title: str) -> Path:
    path.write_text(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>@page {{ size: A4; }}</style></head><body><h1>{title}</h1></body></html>",
        encoding="utf-8",
    )
    return path


def test_both_pages_print_from_one_browser_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[list[str]] = []
    real_popen = subprocess.Popen

    def counting_popen(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        starts.append(args)
        return real_popen(args, **kwargs)

    monkeypatch.setattr(devtools.subprocess, "Popen", counting_popen)
    jobs = [
        (_page(tmp_path / f"{name}.html", f"Report {name}"), tmp_path / f"{name}.pdf")
        for name in ("ja", "en")
    ]
    print_pdfs(jobs)
    assert len(starts) == 1
    for _, pdf in jobs:
        assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "en.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Report en" in text


def test_a_page_that_cannot_load_is_a_render_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "absent.html"
    with pytest.raises(RenderError, match=r"absent\.html"):
        print_pdfs([(missing, tmp_path / "absent.pdf")], timeout_s=60)
    assert not (tmp_path / "absent.pdf").exists()
