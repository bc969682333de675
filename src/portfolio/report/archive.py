"""The reports as a series: every month's folder under one directory, and its index page.

``reports/<YYYY-MM>/report.json`` is the one file read: a month written by an older
version still shows (report.series reads any schema), and the files beside it are linked
as they exist. ``write_archive`` writes ``index.html`` (Japanese, the file a person is
handed), ``index.ja.html`` and ``index.en.html`` beside the months.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from portfolio.errors import SourceError
from portfolio.report.render.archive import render_archive
from portfolio.report.render.text import Lang
from portfolio.report.series import Archive, ArchiveMonth, read_month, read_month_file

__all__ = [
    "INDEX",
    "MONTH_DIR",
    "MONTH_FILES",
    "Archive",
    "ArchiveMonth",
    "collect",
    "from_json",
    "month_files",
    "write_archive",
    "write_index",
]

LANGS: tuple[Lang, ...] = ("ja", "en")
MONTH_DIR = re.compile(r"^\d{4}-\d{2}$")
INDEX = "index.html"
MONTH_FILES: tuple[tuple[str, str], ...] = (
    ("ja", "html"),
    ("ja", "pdf"),
    ("ja", "md"),
    ("en", "html"),
    ("en", "pdf"),
    ("en", "md"),
)
"""The per-language files a month may hold (report.write's names), in the index's order."""


def month_files(names: set[str], month: str) -> dict[str, str]:
    """The month's files present among ``names`` (file names in its folder), as links."""
    files = {
        f"{lang}.{ext}": f"{month}/operations-report.{lang}.{ext}"
        for lang, ext in MONTH_FILES
        if f"operations-report.{lang}.{ext}" in names
    }
    files["json"] = f"{month}/report.json"
    return files


def collect(reports_dir: Path) -> Archive:
    """Every ``YYYY-MM`` folder with a report.json, oldest first; unreadable ones named."""
    archive = Archive(months=[])
    if not reports_dir.is_dir():
        return archive
    for folder in sorted(p for p in reports_dir.iterdir() if MONTH_DIR.match(p.name)):
        path = folder / "report.json"
        if not path.is_file():
            continue
        try:
            figures = read_month_file(path)
        except SourceError:
            archive.unreadable.append(f"{folder.name}/report.json")
            continue
        names = {p.name for p in folder.iterdir()}
        archive.months.append(ArchiveMonth(figures, month_files(names, folder.name)))
        archive.environment = figures.environment or archive.environment
    return archive


def from_json(contents: dict[str, tuple[object, set[str]]]) -> Archive:
    """An archive from report.json contents by month, each with the file names beside it
    (the report job's view of the bucket); unreadable ones named."""
    archive = Archive(months=[])
    for month in sorted(contents):
        data, names = contents[month]
        try:
            figures = read_month(data)
        except SourceError:
            archive.unreadable.append(f"{month}/report.json")
            continue
        archive.months.append(ArchiveMonth(figures, month_files(names, month)))
        archive.environment = figures.environment or archive.environment
    return archive


def write_archive(reports_dir: Path) -> list[Path]:
    """Write the index pages over every month in ``reports_dir``; the paths written."""
    return write_index(collect(reports_dir), reports_dir)


def write_index(archive: Archive, out: Path) -> list[Path]:
    """``index.ja.html``, ``index.en.html`` and ``index.html`` (the Japanese page's copy)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for lang in LANGS:
        path = out / f"index.{lang}.html"
        path.write_text(render_archive(archive, lang), encoding="utf-8")
        paths.append(path)
    default = out / INDEX
    shutil.copyfile(paths[0], default)
    return [default, *paths]
