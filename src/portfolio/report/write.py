"""Write a report's files: operations-report.{ja,en}.md and report.json."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from portfolio.report.model import Report
from portfolio.report.render.jsonout import render_json
from portfolio.report.render.markdown import render_markdown

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
        path = out / f"operations-report.{lang}.md"
        path.write_text(render_markdown(report, lang), encoding="utf-8")
        paths.append(path)
    return paths


@_writer("json")
def _json(report: Report, langs: list[Language], out: Path) -> list[Path]:
    path = out / "report.json"
    path.write_text(render_json(report), encoding="utf-8")
    return [path]


def write_report(
    report: Report, out: Path, *, formats: list[Format], langs: list[Language]
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in formats:
        written += WRITERS[fmt](report, langs, out)
    return written
