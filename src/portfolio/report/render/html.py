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
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from portfolio.report import numbers
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
from portfolio.report.render.style import CSS
from portfolio.report.render.svg import (
    PALETTE,
    Series,
    Span,
    bar_chart,
    empty_chart,
    hbar_chart,
    line_chart,
    timeline,
)
from portfolio.report.render.text import STATUS_ICON, Lang, t
from portfolio.report.rules import SERVICE_NAMES

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


class _Ctx:
    """What a chart needs: the model, the language's words and number formats."""

    def __init__(self, report: Report, lang: Lang) -> None:
        self.r = report
        self.lang = lang
        self.zone = ZoneInfo(report.period.timezone)

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def minutes(self, value: float | None, digits: int = 1) -> str:
        return self.t("no_data") if value is None else numbers.minutes(value, digits)

    def ms(self, value: float | None) -> str:
        """As the text writes a latency (report.numbers): whole ms, the language's spacing."""
        return self.t("no_data") if value is None else numbers.ms(value, self.lang)

    def usd(self, value: float | None, digits: int = 2) -> str:
        return self.t("no_data") if value is None else numbers.usd(value, digits)

    def day(self, value: datetime) -> str:
        """The date of ``value`` in the report's zone (a period's last day is its end less 1 s)."""
        return value.astimezone(self.zone).strftime("%Y-%m-%d")

    def when(self, value: datetime | None) -> str:
        if value is None:
            return self.t("no_data")
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def figure(
        self, uid: str, svg: str, caption: str, data: str = "", *, screen_note: str = ""
    ) -> str:
        """A chart in its scroll box, its caption (``screen_note``: not printed), its data."""
        details = ""
        if data:
            details = f"<details><summary>{escape(self.t('html.data'))}</summary>{data}</details>"
        note = f' <span class="screen-only">{escape(screen_note)}</span>' if screen_note else ""
        return (
            f'<figure class="chart-figure" id="fig-{uid}"><div class="chart-scroll">{svg}</div>'
            f"<figcaption>{escape(caption)}{note}</figcaption>{details}</figure>"
        )

    def data_table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        return (
            f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )


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


# -- charts: one function per figure, keyed by where it goes -----------------------


def _daily(d: _Ctx) -> str:
    daily = d.r.traffic.daily
    title = d.t("chart.daily.title")
    if not d.r.traffic.days_with_traffic:  # a month of zero-height bars says nothing
        return d.figure("daily", empty_chart("c-daily", title, d.t("no_data")), title)
    busiest = d.r.traffic.busiest_day
    desc = d.t(
        "chart.daily.desc", days=len(daily), total=numbers.count(d.r.traffic.total_requests),
        busiest=f"{busiest.date} ({numbers.count(busiest.requests)})"
        if busiest else d.t("no_data"),
    )  # fmt: skip
    svg = bar_chart(
        "c-daily", title, desc,
        [f"{x.date:%d}" for x in daily],
        [x.requests for x in daily],
        tooltips=[d.t("chart.daily.tip", date=str(x.date), requests=numbers.count(x.requests),
                      errors=numbers.count(x.errors_5xx)) for x in daily],
        unit=d.t("chart.requests_unit"),
        label_every=2 if len(daily) > 16 else 1,
    )  # fmt: skip
    return d.figure("daily", svg, desc, screen_note=d.t("chart.daily.hover"))


def _hourly(d: _Ctx) -> str:
    rows = d.r.performance.by_hour
    title = d.t("chart.hourly.title")
    if not rows or all(r.p50_ms is None and r.p95_ms is None for r in rows):
        return d.figure("hourly", empty_chart("c-hourly", title, d.t("no_data")), title)
    peak = d.r.performance.peak.peak_hours
    desc = d.t(
        "chart.hourly.desc",
        peak=", ".join(d.t("chart.hour", hour=h) for h in peak) or d.t("no_data"),
    )
    labels = [str(r.hour) for r in rows]
    svg = line_chart(
        "c-hourly", title, desc, labels,
        [Series("p50", [r.p50_ms for r in rows], PALETTE["blue"]),
         Series("p95", [r.p95_ms for r in rows], PALETTE["orange"], "6 3")],
        unit="ms", label_every=2, value_text=d.ms,
        bands=[labels.index(str(h)) for h in peak if str(h) in labels],
        band_label=d.t("perf.peak"),
    )  # fmt: skip
    data = d.data_table(
        [d.t("chart.hour_of_day"), d.t("perf.requests"), "p50", "p95"],
        [[d.t("chart.hour", hour=r.hour), numbers.count(r.requests), d.ms(r.p50_ms), d.ms(r.p95_ms)]
         for r in rows],
    )  # fmt: skip
    return d.figure("hourly", svg, desc, data)


def _weekly(d: _Ctx) -> str:
    weeks = d.r.performance.weekly
    title = d.t("chart.weekly.title")
    if not weeks or all(w.avg_ms is None for w in weeks):
        return d.figure("weekly", empty_chart("c-weekly", title, d.t("no_data")), title)
    desc = d.t("chart.weekly.desc", weeks=len(weeks))
    svg = line_chart(
        "c-weekly", title, desc,
        [d.t("chart.week", week=w.week) for w in weeks],
        [Series(d.t("perf.avg"), [w.avg_ms for w in weeks], PALETTE["blue"]),
         Series("p95", [w.p95_ms for w in weeks], PALETTE["orange"], "6 3"),
         Series(d.t("perf.max"), [w.max_ms for w in weeks], PALETTE["grey"], "2 3")],
        unit="ms", value_text=d.ms,
    )  # fmt: skip
    return d.figure("weekly", svg, desc)


def _mix(d: _Ctx) -> str:
    endpoints = d.r.traffic.by_endpoint
    title = d.t("chart.mix.title")
    if not endpoints:
        return d.figure("mix", empty_chart("c-mix", title, d.t("no_data")), title)
    desc = d.t(
        "chart.mix.desc", endpoints=len(endpoints), total=numbers.count(d.r.traffic.total_requests)
    )
    svg = hbar_chart(
        "c-mix", title, desc,
        [(e.endpoint, [100 * e.share]) for e in endpoints],
        [(d.t("perf.share"), PALETTE["blue"])],
        value_labels=[[f"{numbers.percent(100 * e.share, 1)} ({numbers.count(e.requests)})"]
                      for e in endpoints],
        unit="%",
    )  # fmt: skip
    return d.figure("mix", svg, desc)


def _costs(d: _Ctx) -> str:
    c = d.r.costs
    title = d.t("chart.cost.title")
    if c.source == "none" or not c.lines:
        return d.figure("costs", empty_chart("c-costs", title, d.t("no_data")), title)
    desc = d.t("chart.cost.desc", total=d.usd(c.total_usd), previous=d.usd(c.previous_total_usd))
    svg = hbar_chart(
        "c-costs", title, desc,
        # The table's names (rules.SERVICE_NAMES), not the billing names, in both languages.
        [(SERVICE_NAMES.get(line.service, line.service), [line.usd, line.previous_usd])
         for line in c.lines],
        [(d.t("chart.cost.current"), PALETTE["blue"]), (d.t("cost.previous"), PALETTE["light"])],
        value_labels=[[d.usd(line.usd), d.usd(line.previous_usd)] for line in c.lines],
        unit="USD",
    )  # fmt: skip
    return d.figure("costs", svg, desc)


def _burn_down(d: _Ctx) -> str:
    b = d.r.error_budget
    title = d.t("chart.budget.title")
    if not b.burn_down:
        return d.figure("budget", empty_chart("c-budget", title, d.t("no_data")), title)
    desc = d.t(
        "chart.budget.desc", allowed=d.minutes(b.allowed_minutes),
        remaining=d.minutes(b.remaining_minutes),
    )  # fmt: skip
    svg = line_chart(
        "c-budget", title, desc,
        [f"{x.date:%d}" for x in b.burn_down],
        [Series(d.t("slo.remaining"), [x.remaining_minutes for x in b.burn_down], PALETTE["green"]),
         Series(d.t("slo.consumed"), [x.consumed_minutes for x in b.burn_down], PALETTE["red"],
                "6 3")],
        unit="min", label_every=2 if len(b.burn_down) > 16 else 1, value_text=d.minutes,
        reference=(b.allowed_minutes, 0.0, d.t("chart.budget.even")),
    )  # fmt: skip
    data = d.data_table(
        [d.t("perf.date"), d.t("slo.consumed"), d.t("slo.remaining")],
        [[str(x.date), d.minutes(x.consumed_minutes), d.minutes(x.remaining_minutes)]
         for x in b.burn_down],
    )  # fmt: skip
    return d.figure("budget", svg, desc, data)


_KIND_COLOUR = {
    "outage": PALETTE["red"],
    "errors": PALETTE["orange"],
    "latency": PALETTE["purple"],
    "recorded": PALETTE["grey"],
}


def _timeline(d: _Ctx) -> str:
    p = d.r.period
    title = d.t("chart.timeline.title")
    length = (p.end - p.start).total_seconds()

    def at(moment: datetime) -> float:
        return min(max((moment - p.start).total_seconds() / length, 0.0), 1.0)

    spans = []
    for i in d.r.incidents:
        length_text = d.t("chart.ongoing") if i.end is None else d.minutes(i.duration_minutes, 0)
        label = f"{d.when(i.start)} ({length_text})"
        width = None if i.end is None else at(i.end) - at(i.start)
        spans.append(Span(i.kind, at(i.start), width, label, _KIND_COLOUR[i.kind]))
    first = p.start.astimezone(d.zone).date()
    ticks = [
        (at(_midnight(first + timedelta(days=n), d)), f"{first + timedelta(days=n):%m/%d}")
        for n in range(0, p.days, 7)
    ]
    # The period as a reader counts it: its first and last day (the end is exclusive).
    desc = d.t("chart.timeline.desc", incidents=len(d.r.incidents), start=d.day(p.start),
               end=d.day(p.end - timedelta(seconds=1)))  # fmt: skip
    svg = timeline(
        "c-timeline", title, desc,
        [(kind, d.t(f"kind.{kind}")) for kind in _KIND_COLOUR],
        spans, ticks,
    )  # fmt: skip
    return d.figure("timeline", svg, desc)


def _midnight(day: date, d: _Ctx) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=d.zone)


CHARTS: dict[str, Callable[[_Ctx], str]] = {
    "weekly": _weekly,
    "hourly": _hourly,
    "daily": _daily,
    "mix": _mix,
    "timeline": _timeline,
    "costs": _costs,
    "budget": _burn_down,
}
"""Chart blocks of the document by key."""


class _Writer:
    """Writes the document's blocks as HTML; sections open at each level-2 heading."""

    def __init__(self, ctx: _Ctx) -> None:
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


def _tiles(doc: Document, ctx: _Ctx) -> str:
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
    ctx = _Ctx(report, lang)
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
