"""Write a report's files: Markdown, JSON, HTML and PDF.

Per-language files are ``operations-report.<lang>.<ext>``. HTML and PDF also get
``operations-report.<ext>`` — the first language asked for (ja by default), the
one file a person is handed — as a copy, so it is never rendered twice.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from portfolio.report.model import Report
from portfolio.report.render.csv import write_csv
from portfolio.report.render.html import render_html
from portfolio.report.render.jsonout import render_json
from portfolio.report.render.markdown import render_markdown
from portfolio.report.render.pdf import print_pdfs

Format = str
"""A key of WRITERS: md, json, and whatever other renderers register."""
Language = Literal["ja", "en"]

WRITERS: dict[Format, Callable[[Report, list[Language], Path], list[Path]]] = {}
"""File writers by format name; `--format all` writes every one, in this order."""


def _writer(fmt: Format) -> Callable[[Callable[[Report, list[Language], Path], list[Path]]], None]:
    def register(fn: Callable[[Report, list[Language], Path], list[Path]]) -> None:
        WRITERS[fmt] = fn

    return register


@_writer("md")
def _markdown(report: Report, langs: list[Language], out: Path) -> list[Path]:
    paths = []
    for lang in langs:
        path = out / f"{DEFAULT_NAME}.{lang}.md"
        path.write_text(render_markdown(report, lang), encoding="utf-8")
        paths.append(path)
    return paths


@_writer("json")
def _json(report: Report, langs: list[Language], out: Path) -> list[Path]:
    path = out / "report.json"
    path.write_text(render_json(report), encoding="utf-8")
    return [path]


_writer("csv")(lambda report, langs, out: write_csv(report, out))


DEFAULT_NAME = "operations-report"


def _alternate(lang: Language, langs: list[Language], ext: str) -> str | None:
    others = [other for other in langs if other != lang]
    return f"{DEFAULT_NAME}.{others[0]}.{ext}" if others else None


def _html_pages(
    report: Report, langs: list[Language], out: Path, *, links: bool = True
) -> list[Path]:
    paths = []
    for lang in langs:
        path = out / f"{DEFAULT_NAME}.{lang}.html"
        path.write_text(
            render_html(report, lang, alternate=_alternate(lang, langs, "html") if links else None),
            encoding="utf-8",
        )
        paths.append(path)
    return paths


@_writer("html")
def _html(report: Report, langs: list[Language], out: Path) -> list[Path]:
    paths = _html_pages(report, langs, out)
    default = out / f"{DEFAULT_NAME}.html"
    shutil.copyfile(paths[0], default)
    return [default, *paths]


@_writer("pdf")
def _pdf(report: Report, langs: list[Language], out: Path) -> list[Path]:
    # Printed from pages of its own, so `--format pdf` alone works; without the link to
    # the other language, which would point into the scratch directory.
    with tempfile.TemporaryDirectory(prefix="portfolio-report-") as scratch:
        pages = _html_pages(report, langs, Path(scratch), links=False)
        pdfs = [out / f"{DEFAULT_NAME}.{lang}.pdf" for lang in langs]
        print_pdfs(list(zip(pages, pdfs, strict=True)))
    default = out / f"{DEFAULT_NAME}.pdf"
    shutil.copyfile(pdfs[0], default)
    return [default, *pdfs]


PRINTED: frozenset[Format] = frozenset({"pdf"})
"""Formats a browser prints: written after every other format, so those never wait for it."""


def write_report(
    report: Report, out: Path, *, formats: list[Format], langs: list[Language]
) -> list[Path]:
    """Write the formats asked for; the browser's formats last, whatever the order asked."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in sorted(formats, key=lambda fmt: fmt in PRINTED):  # stable: the rest keep order
        written += WRITERS[fmt](report, langs, out)
    return written
