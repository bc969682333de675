"""The report as one self-contained HTML page (ja or en) with inline SVG charts.

A back-end of the neutral document (report.document): each block becomes its
HTML element, a Chart block becomes its SVG, and nothing is re-parsed from
Markdown. The summary's 主要指標達成状況 is drawn first as tiles, so it is the
first thing on screen and on the PDF's first page; a table with a row a day folds
under its chart. Nothing is fetched when the page is opened (inline CSS, inline
SVG, no script), so the file can be mailed, archived or printed to PDF as is.
Dark mode follows the reader's system setting (prefers-color-scheme).

Formatting only: charts place the model's figures on axes, a missing figure is a
gap or a "no data" box, and nothing is computed that the model does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from html import escape

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
from portfolio.report.render.charts import CHARTS, ChartContext
from portfolio.report.render.style import CSS
from portfolio.report.render.text import STATUS_ICON, Lang

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escape, then turn the document's two inline marks (bold, code) into HTML."""
    html = escape(text, quote=False)
    html = _CODE.sub(r"<code>\1</code>", html)
    return _BOLD.sub(r"<strong>\1</strong>", html)


_TAG = re.compile(r"(<[^>]+>)")
_HYPHENATED = re.compile(r"[\x21-\x7e]+-[\x21-\x7e]+")


def _whole_words(html: str) -> str:
    """Latin words with a hyphen (08/01-08/07, 2025-08-15, no-data) kept on one line.

    A browser may break a line after any hyphen, so a narrow table cell showed a week
    as "08/01-" over "08/07"; text between the tags is wrapped, never a tag itself.
    """
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):  # even parts are text, odd ones tags
        parts[i] = _HYPHENATED.sub(lambda m: f'<span class="nw">{m[0]}</span>', parts[i])
    return "".join(parts)


_MARKS = frozenset(STATUS_ICON.values())
_NUMBER = re.compile(r"[-+$≤≥<> ]*[\d,.]+\s*(%|ms|min|MB|h|×|USD)?")


def _numeric_columns(rows: Sequence[Sequence[str]]) -> set[int]:
    """Columns whose every figure is a number: aligned right as a whole, header too.

    Deciding per cell left "no data" and a target such as "≤ 100 ms" flush left
    among right-aligned figures, so one column read in two alignments.
    """
    columns: set[int] = set()
    for index in range(1, max((len(row) for row in rows), default=0)):
        cells = [row[index] for row in rows if index < len(row) and row[index].strip()]
        figures = [c for c in cells if c not in _MARKS and not c.startswith(("—", "-"))]
        if figures and sum(bool(_NUMBER.fullmatch(c)) for c in figures) * 2 > len(figures):
            columns.add(index)
    return columns


SHORT_LABEL = 8
"""A cell of at most this many characters and no space is one word ("第1週", "安定")."""


def _classes(text: str, numeric: bool) -> str:
    """A cell's classes: a mark, a number (right-aligned), a short label (never broken).

    Japanese may break between any two characters, so a squeezed column stacked
    "第1週" one character a line; a short label stays whole and the table scrolls.
    """
    names = ["mark" if text in _MARKS else "num" if numeric else ""]
    if len(text) <= SHORT_LABEL and not any(c.isspace() for c in text):
        names.append("nw")
    joined = " ".join(n for n in names if n)
    return f' class="{joined}"' if joined else ""


def _cell(index: int, text: str, numeric: bool = False) -> str:
    tag = "th" if index == 0 else "td"
    scope = ' scope="row"' if index == 0 else ""
    return f"<{tag}{scope}{_classes(text, numeric)}>{_whole_words(_inline(text))}</{tag}>"


class _Writer:
    """Writes the document's blocks as HTML; sections open at each level-2 heading."""

    def __init__(self, ctx: ChartContext) -> None:
        self.ctx = ctx
        self.parts: list[str] = []
        self.open = False
        self.heading = ""
        self.tables = 0
        self.pending_data: list[str] = []

    def write(self, block: Block) -> None:
        WRITERS[type(block)](self, block)

    def close(self) -> None:
        if self.open:
            self.parts.append("</section>")
            self.open = False


def _w_heading(w: _Writer, b: Heading) -> None:
    if b.level == 2:
        w.close()
        w.parts.append(f'<section aria-labelledby="{b.anchor}">')
        w.open = True
    w.heading = b.text
    w.parts.append(f'<h{b.level} id="{b.anchor}">{escape(b.text)}</h{b.level}>')


def _w_fields(w: _Writer, b: Fields) -> None:
    items = "".join(
        f'<li><span class="label">{_inline(i.label)}</span>: {_inline(i.value)}</li>'
        for i in b.items
    )
    css = "fields" if b.bullets else "fields bare"
    w.parts.append(f'<ul class="{css}">{items}</ul>')


def _w_checklist(w: _Writer, b: Checklist) -> None:
    items = "".join(
        f'<li><span class="box" aria-hidden="true">{"☑" if done else "☐"}</span>'
        f'<span class="sr">{"✓ " if done else ""}</span>{_inline(text)}</li>'
        for done, text in b.items
    )
    w.parts.append(f'<ul class="checklist">{items}</ul>')


def _w_numbered(w: _Writer, b: Numbered) -> None:
    items = []
    for title, text, subs in b.items:
        head = f"<strong>{_inline(title)}</strong>: {_inline(text)}" if text else _inline(title)
        sub = "".join(f"<li>{_inline(x)}</li>" for x in subs)
        items.append(f"<li>{head}" + (f"<ul>{sub}</ul>" if sub else "") + "</li>")
    w.parts.append("<ol>" + "".join(items) + "</ol>")


def _w_bullets(w: _Writer, b: Bullets) -> None:
    w.parts.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in b.items) + "</ul>")


def _w_table(w: _Writer, b: Table) -> None:
    w.tables += 1
    caption = f"{w.heading} — {w.ctx.t('html.table')} {w.tables}"
    numeric = _numeric_columns(b.rows)
    head = "".join(
        f'<th scope="col"{_classes(h, i in numeric)}>{_whole_words(_inline(h))}</th>'
        for i, h in enumerate(b.header)
    )
    body = "".join(
        "<tr>" + "".join(_cell(i, c, i in numeric) for i, c in enumerate(row)) + "</tr>"
        for row in b.rows
    )
    table = (
        f'<div class="table-wrap" role="region" tabindex="0" aria-label="{escape(caption)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
    if b.collapse:
        table = (
            f'<details class="data"><summary>{escape(w.ctx.t("html.data"))}'
            f" ({len(b.rows)})</summary>{table}</details>"
        )
    w.parts.append(table)


def _w_chart(w: _Writer, b: Chart) -> None:
    w.parts.append(CHARTS[b.key](w.ctx))


def _w_paragraph(w: _Writer, b: Paragraph) -> None:
    w.parts.append(f"<p>{_inline(b.text)}</p>")


def _w_note(w: _Writer, b: Note) -> None:
    w.parts.append(f'<p class="note">{_inline(b.text)}</p>')


def _w_notice(w: _Writer, b: Notice) -> None:
    w.parts.append(f'<p class="notice" role="note">{_inline(b.text)}</p>')


WRITERS: dict[type, Callable[[_Writer, Block], None]] = {
    Heading: _w_heading,  # type: ignore[dict-item]
    Fields: _w_fields,  # type: ignore[dict-item]
    Checklist: _w_checklist,  # type: ignore[dict-item]
    Numbered: _w_numbered,  # type: ignore[dict-item]
    Bullets: _w_bullets,  # type: ignore[dict-item]
    Table: _w_table,  # type: ignore[dict-item]
    Chart: _w_chart,  # type: ignore[dict-item]
    Paragraph: _w_paragraph,  # type: ignore[dict-item]
    Note: _w_note,  # type: ignore[dict-item]
    Notice: _w_notice,  # type: ignore[dict-item]
    Rule: lambda w, b: None,
}
"""One HTML writer per block type: the Markdown back-end's counterpart."""


def _tiles(doc: Document, ctx: ChartContext) -> str:
    """The summary's key indicators as tiles: the first thing on screen and on page 1."""
    table = next((b for b in doc.blocks if isinstance(b, Table) and b.kpi), None)
    if table is None:
        return ""
    heading = ctx.t("h.summary.kpis")
    status = {v: k for k, v in STATUS_ICON.items()}
    tiles = "".join(
        f'<div class="tile {status.get(row[4], "no_data")}">'
        f'<div class="tile-name">{_inline(row[0])}</div>'
        f'<div class="tile-value">{_inline(row[2])}</div>'
        f'<div class="tile-target">{escape(table.header[1])}: {_inline(row[1])}</div>'
        f'<div class="tile-mark mark" aria-label="{escape(table.header[4])}">'
        f"{escape(row[4])}</div></div>"
        for row in table.rows
    )
    return (
        f'<section class="tiles" aria-label="{escape(heading)}">'
        f'<h2 class="tiles-h">{escape(heading)}</h2><div class="tile-grid">{tiles}</div></section>'
    )


def render_html(report: Report, lang: Lang, *, alternate: str | None = None) -> str:
    """The whole page; ``alternate`` is the file name of the other language's page, if written."""
    ctx = ChartContext(report, lang)
    doc = compose(report, lang)
    writer = _Writer(ctx)
    for block in doc.blocks:
        writer.write(block)
    writer.close()
    other: Lang = "en" if lang == "ja" else "ja"
    alt_link = (
        f' · <a class="alt" href="{escape(alternate)}" hreflang="{other}" lang="{other}">'
        f"{escape(ctx.t('html.other_lang'))}</a>"
        if alternate
        else ""
    )
    toc = "".join(
        f'<li><a href="#{h.anchor}">{escape(h.text)}</a></li>'
        for h in doc.headings()
        if h.level == 2
    )
    span = f"{ctx.day(report.period.start)} – {ctx.day(report.period.end - timedelta(seconds=1))}"
    period = f"{span} ({report.period.timezone})"
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{escape(doc.title)}</title>\n"
        f'<meta name="generator" content="portfolio report">\n<style>{CSS}</style>\n</head>\n'
        f'<body>\n<a class="skip" href="#main">{escape(ctx.t("html.skip"))}</a>\n'
        f'<header class="doc"><h1>{escape(doc.title)}</h1>'
        f"<p>{escape(ctx.t('l.period'))}: {escape(period)}{alt_link}</p></header>\n"
        f"{_tiles(doc, ctx)}\n"
        f'<div class="layout">\n<nav class="toc" aria-label="{escape(ctx.t("html.toc"))}">'
        f"<ol>{toc}</ol></nav>\n"
        f'<main id="main" tabindex="-1">\n' + "\n".join(writer.parts) + "\n</main>\n</div>\n"
        "</body>\n</html>\n"
    )
