"""The neutral document as Markdown, in the original's own markup.

``- **label**: value`` items, ``- [x]`` checklists, ``1. **title**`` points with
indented sub-bullets, pipe tables, ``---`` rules and the bare ``**label**: value``
lines of the overview and the closing block. Charts have no Markdown form: their
figures are in the tables beside them.
"""

from __future__ import annotations

from collections.abc import Callable

from portfolio.report.compose import compose
from portfolio.report.document import (
    Block,
    Bullets,
    Chart,
    Checklist,
    Document,
    Fields,
    Heading,
    Note,
    Notice,
    Numbered,
    Paragraph,
    Rule,
    Table,
)
from portfolio.report.model import Report
from portfolio.report.render.text import Lang


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _heading(b: Heading) -> list[str]:
    return ["#" * b.level + " " + b.text, ""]


def _fields(b: Fields) -> list[str]:
    prefix = "- " if b.bullets else ""
    lines = [f"{prefix}**{item.label}**: {item.value}" for item in b.items]
    if not b.bullets:  # bare lines need a hard break to stay lines
        lines = [line + "  " for line in lines[:-1]] + lines[-1:]
    return [*lines, ""]


def _checklist(b: Checklist) -> list[str]:
    return [f"- [{'x' if done else ' '}] {text}" for done, text in b.items] + [""]


def _numbered(b: Numbered) -> list[str]:
    lines = []
    for n, (title, text, subs) in enumerate(b.items, start=1):
        head = f"**{title}**" if text else title
        lines.append(f"{n}. {head}{': ' + text if text else ''}")
        lines += [f"   - {sub}" for sub in subs]
        if subs:
            lines.append("")
    return [*lines, ""] if not lines or lines[-1] else lines


def _bullets(b: Bullets) -> list[str]:
    return [f"- {item}" for item in b.items] + [""]


def _table(b: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in b.header) + " |",
             "|" + "|".join("------" for _ in b.header) + "|"]  # fmt: skip
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in b.rows]
    return [*lines, ""]


def _paragraph(b: Paragraph) -> list[str]:
    return [b.text, ""]


def _note(b: Note) -> list[str]:
    return [f"_{b.text}_", ""]


def _notice(b: Notice) -> list[str]:
    return [f"> {b.text}", ""]


BACKENDS: dict[type, Callable[[Block], list[str]]] = {
    Heading: _heading,  # type: ignore[dict-item]
    Fields: _fields,  # type: ignore[dict-item]
    Checklist: _checklist,  # type: ignore[dict-item]
    Numbered: _numbered,  # type: ignore[dict-item]
    Bullets: _bullets,  # type: ignore[dict-item]
    Table: _table,  # type: ignore[dict-item]
    Paragraph: _paragraph,  # type: ignore[dict-item]
    Note: _note,  # type: ignore[dict-item]
    Notice: _notice,  # type: ignore[dict-item]
    Chart: lambda _: [],
    Rule: lambda _: ["---", ""],
}
"""One writer per block type."""


def render_document(doc: Document) -> str:
    lines = ["# " + doc.title, ""]
    for block in doc.blocks:
        lines += BACKENDS[type(block)](block)
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(report: Report, lang: Lang) -> str:
    return render_document(compose(report, lang))
