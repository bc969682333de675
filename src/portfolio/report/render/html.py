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

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escape, then turn the document's two inline marks (bold, code) into HTML."""
    html = escape(text, quote=False)
    html = _CODE.sub(r"<code>\1</code>", html)
    return _BOLD.sub(r"<strong>\1</strong>", html)


class _Ctx:
    """What a chart needs: the model, the language's words and number formats."""

    def __init__(self, report: Report, lang: Lang) -> None:
        self.r = report
        self.lang = lang
        self.zone = ZoneInfo(report.period.timezone)

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def num(self, value: float | None, unit: str = "", digits: int = 2) -> str:
        if value is None:
            return self.t("no_data")
        text = f"{value:,.{digits}f}"
        return f"{text}%" if unit == "%" else f"{text} {unit}".strip()

    def ms(self, value: float | None) -> str:
        return self.num(value, "ms", 1)

    def usd(self, value: float | None, digits: int = 2) -> str:
        if value is None:
            return self.t("no_data")
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.{digits}f}"

    def when(self, value: datetime | None) -> str:
        if value is None:
            return self.t("no_data")
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def figure(self, uid: str, svg: str, caption: str, data: str = "") -> str:
        details = ""
        if data:
            details = f"<details><summary>{escape(self.t('html.data'))}</summary>{data}</details>"
        return (
            f'<figure class="chart-figure" id="fig-{uid}">{svg}'
            f"<figcaption>{escape(caption)}</figcaption>{details}</figure>"
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


def _cell(index: int, text: str) -> str:
    tag = "th" if index == 0 else "td"
    scope = ' scope="row"' if index == 0 else ""
    if text in _MARKS:
        css = " class=mark"
    elif re.fullmatch(r"[-+$]?[\d,.]+\s*(%|ms|min|MB|h|×)?", text):
        css = " class=num"
    else:
        css = ""
    return f"<{tag}{scope}{css}>{_inline(text)}</{tag}>"


# -- charts: one function per figure, keyed by where it goes -----------------------


def _daily(d: _Ctx) -> str:
    daily = d.r.traffic.daily
    title = d.t("chart.daily.title")
    if not d.r.traffic.days_with_traffic:  # a month of zero-height bars says nothing
        return d.figure("daily", empty_chart("c-daily", title, d.t("no_data")), title)
    busiest = d.r.traffic.busiest_day
    desc = d.t(
        "chart.daily.desc", days=len(daily), total=f"{d.r.traffic.total_requests:,}",
        busiest=f"{busiest.date} ({busiest.requests:,})" if busiest else d.t("no_data"),
    )  # fmt: skip
    svg = bar_chart(
        "c-daily", title, desc,
        [f"{x.date:%d}" for x in daily],
        [x.requests for x in daily],
        tooltips=[d.t("chart.daily.tip", date=str(x.date), requests=f"{x.requests:,}",
                      errors=f"{x.errors_5xx:,}") for x in daily],
        unit=d.t("chart.requests_unit"),
        label_every=2 if len(daily) > 16 else 1,
    )  # fmt: skip
    return d.figure("daily", svg, desc)


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
        unit="ms", label_every=2,
        bands=[labels.index(str(h)) for h in peak if str(h) in labels],
        band_label=d.t("perf.peak"),
    )  # fmt: skip
    data = d.data_table(
        [d.t("chart.hour_of_day"), d.t("perf.requests"), "p50", "p95"],
        [[d.t("chart.hour", hour=r.hour), f"{r.requests:,}", d.ms(r.p50_ms), d.ms(r.p95_ms)]
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
        unit="ms",
    )  # fmt: skip
    return d.figure("weekly", svg, desc)


def _mix(d: _Ctx) -> str:
    endpoints = d.r.traffic.by_endpoint
    title = d.t("chart.mix.title")
    if not endpoints:
        return d.figure("mix", empty_chart("c-mix", title, d.t("no_data")), title)
    desc = d.t("chart.mix.desc", endpoints=len(endpoints), total=f"{d.r.traffic.total_requests:,}")
    svg = hbar_chart(
        "c-mix", title, desc,
        [(e.endpoint, [100 * e.share]) for e in endpoints],
        [(d.t("perf.share"), PALETTE["blue"])],
        value_labels=[[f"{100 * e.share:.1f}% ({e.requests:,})"] for e in endpoints],
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
        [(line.service, [line.usd, line.previous_usd]) for line in c.lines],
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
        "chart.budget.desc", allowed=d.num(b.allowed_minutes, "min", 1),
        remaining=d.num(b.remaining_minutes, "min", 1),
    )  # fmt: skip
    svg = line_chart(
        "c-budget", title, desc,
        [f"{x.date:%d}" for x in b.burn_down],
        [Series(d.t("slo.remaining"), [x.remaining_minutes for x in b.burn_down], PALETTE["green"]),
         Series(d.t("slo.consumed"), [x.consumed_minutes for x in b.burn_down], PALETTE["red"],
                "6 3")],
        unit="min", label_every=2 if len(b.burn_down) > 16 else 1,
        reference=(b.allowed_minutes, 0.0, d.t("chart.budget.even")),
    )  # fmt: skip
    data = d.data_table(
        [d.t("perf.date"), d.t("slo.consumed"), d.t("slo.remaining")],
        [[str(x.date), d.num(x.consumed_minutes, "min", 1), d.num(x.remaining_minutes, "min", 1)]
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
        length_text = d.t("chart.ongoing") if i.end is None else d.num(i.duration_minutes, "min", 0)
        label = f"{d.when(i.start)} ({length_text})"
        width = None if i.end is None else at(i.end) - at(i.start)
        spans.append(Span(i.kind, at(i.start), width, label, _KIND_COLOUR[i.kind]))
    first = p.start.astimezone(d.zone).date()
    ticks = [
        (at(_midnight(first + timedelta(days=n), d)), f"{first + timedelta(days=n):%m/%d}")
        for n in range(0, p.days, 7)
    ]
    desc = d.t("chart.timeline.desc", incidents=len(d.r.incidents), start=d.when(p.start),
               end=d.when(p.end))  # fmt: skip
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
    head = "".join(f'<th scope="col">{_inline(h)}</th>' for h in b.header)
    body = "".join(
        "<tr>" + "".join(_cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in b.rows
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


CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #c8ccd2; --bg: #fff; --accent: #1f5fa8;
  --soft: #f3f5f8; --warn-bg: #fff4e0; --warn: #7a3e00; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic",
  Meiryo, system-ui, sans-serif; color: var(--ink); background: var(--bg);
  line-height: 1.6; font-size: 15px; }
body { margin: 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--ink); color: #fff;
  padding: .5em 1em; z-index: 10; }
.skip:focus { left: 0; }
header.doc { background: var(--ink); color: #fff; padding: 1.2rem 2rem; }
header.doc h1 { margin: 0; font-size: 1.6rem; }
header.doc p { margin: .3rem 0 0; color: #e6e6e6; }
header.doc a { color: #cfe3ff; }
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); gap: 2rem;
  max-width: 78rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
nav.toc { position: sticky; top: 1rem; align-self: start; font-size: .92rem; }
nav.toc ol { list-style: none; padding: 0; margin: 0; }
nav.toc li { margin: .15rem 0; }
nav.toc a { display: block; padding: .2rem .5rem; border-radius: 4px; text-decoration: none; }
nav.toc a:hover { background: var(--soft); }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem;
  margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
section:first-of-type h2 { margin-top: 0; }
.notice { background: var(--warn-bg); color: var(--warn); border-left: 4px solid #c77700;
  padding: .6rem 1rem; }
.note { color: var(--muted); font-size: .9rem; }
.table-wrap { overflow-x: auto; margin: .8rem 0; max-width: 100%; }
table { border-collapse: collapse; font-size: .9rem; min-width: 50%; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left;
  vertical-align: top; }
thead th { background: var(--soft); }
tbody th { font-weight: 500; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: "Noto Sans Mono CJK JP", ui-monospace, monospace; font-size: .88em;
  background: var(--soft); padding: 0 .25em; border-radius: 3px; }
figure.chart-figure { margin: 1rem 0 1.5rem; padding: .8rem; border: 1px solid var(--line);
  border-radius: 6px; }
figure.chart-figure figcaption { color: var(--muted); font-size: .88rem; margin-top: .3rem; }
figure details { margin-top: .5rem; font-size: .88rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-family: inherit; fill: var(--ink); font-size: 11px; }
svg.chart .tick { fill: #444; }
svg.chart .unit, svg.chart .legend { font-size: 11px; fill: #444; }
svg.chart .grid { stroke: #e3e6ea; stroke-width: 1; }
svg.chart .axis { stroke: #777; stroke-width: 1; }
svg.chart .lane { stroke: #d0d4da; stroke-dasharray: 3 3; }
svg.chart .band { fill: #fdf0dc; }
svg.chart .nodata { fill: var(--soft); stroke: var(--line); }
svg.chart .nodata-text { font-size: 14px; fill: var(--muted); }
svg.chart .rowlabel { font-size: 11px; }
main { min-width: 0; overflow-wrap: anywhere; }
ul.fields { padding-left: 1.2rem; }
ul.fields.bare { list-style: none; padding-left: 0; }
ul.fields .label { font-weight: 600; }
ul.checklist { list-style: none; padding-left: .2rem; }
ul.checklist .box { margin-right: .4em; }
.sr { position: absolute; left: -9999px; }
details.data { margin: .5rem 0 1rem; }
details.data summary { cursor: pointer; color: var(--accent); }
section.tiles { max-width: 78rem; margin: 0 auto; padding: 1rem 2rem 0; }
.tiles-h { margin: 0 0 .6rem; border: 0; font-size: 1.1rem; }
.tile-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr));
  gap: .8rem; }
.tile { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px;
  padding: .6rem .8rem; background: var(--soft); position: relative; }
.tile.met { border-left-color: #2e7d32; } .tile.warn { border-left-color: #c77700; }
.tile.missed { border-left-color: #b3261e; }
.tile-name { font-size: .85rem; color: var(--muted); }
.tile-value { font-size: 1.35rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.tile-target { font-size: .8rem; color: var(--muted); }
.tile-mark { position: absolute; top: .5rem; right: .6rem; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e8eaed; --muted: #b0b6be; --line: #4a5058; --bg: #16181c;
    --accent: #8ab4f8; --soft: #23262b; --warn-bg: #3a2a10; --warn: #ffd18a; }
  header.doc { background: #0b0c0e; }
  svg.chart .tick, svg.chart .unit, svg.chart .legend { fill: #c9ccd1; }
  svg.chart .grid { stroke: #33373d; }
  svg.chart .band { fill: #3a3220; }
}
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; padding: 1rem; }
  nav.toc { position: static; } section.tiles { padding: 1rem 1rem 0; }
  header.doc { padding: 1rem; } }
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; } }
@media print {
  html { font-size: 10.5pt; }
  .skip, nav.toc, header.doc .alt { display: none; }
  header.doc { background: none; color: var(--ink); padding: 0 0 .5rem;
    border-bottom: 3px solid var(--ink); }
  header.doc p { color: var(--muted); }
  .layout { display: block; padding: 0; max-width: none; }
  h2 { margin-top: 1.4rem; }
  h2, h3 { break-after: avoid; }
  figure.chart-figure, tr { break-inside: avoid; }
  figure details, details.data { display: none; }
  section.tiles { padding: .5rem 0 0; }
  .tile-grid { grid-template-columns: repeat(4, 1fr); }
  .table-wrap, table, .tile-grid { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


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
    span = f"{ctx.when(report.period.start)} – {ctx.when(report.period.end)}"
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
