"""The report as one self-contained HTML page (ja or en) with inline SVG charts.

The sections, their order and every table come from the Markdown renderer's
section functions: this module gives them an HTML document to write into, so the
two formats cannot drift apart. Charts are added after the subsection whose
figures they draw. Nothing is fetched when the page is opened (inline CSS, inline
SVG, no script), so the file can be mailed, archived or printed to PDF as is.

Formatting only: charts place the model's figures on axes, a missing figure is a
gap or a "no data" box, and nothing is computed that the model does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from html import escape

from portfolio.report.model import Report
from portfolio.report.render.markdown import RENDERERS, _Doc
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
from portfolio.report.render.text import STATUS_ICON, Lang
from portfolio.report.sections import SECTIONS

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escape, then turn the Markdown renderer's two inline marks (bold, code) into HTML."""
    html = escape(text, quote=False)
    html = _CODE.sub(r"<code>\1</code>", html)
    return _BOLD.sub(r"<strong>\1</strong>", html)


class _HtmlDoc(_Doc):
    """The Markdown renderer's document, writing HTML elements instead of Markdown lines."""

    def __init__(self, report: Report, lang: Lang) -> None:
        super().__init__(report, lang)
        self.parts: list[str] = []
        self._para: list[str] = []
        self._items: list[str] = []
        self.section = ""
        self.subsection: int | None = None
        self._tables = 0

    # -- the Markdown document's interface, in HTML --------------------------
    def add(self, *lines: str) -> None:
        for line in lines:
            if not line:
                self._flush()
            elif line.startswith("> "):
                self._flush()
                self.parts.append(f'<p class="notice" role="note">{_inline(line[2:])}</p>')
            elif line.startswith("- "):
                if self._para:
                    self._flush()
                self._items.append(f"<li>{_inline(line[2:])}</li>")
            elif len(line) > 2 and line.startswith("_") and line.endswith("_"):
                self._flush()
                self.parts.append(f'<p class="note">{_inline(line[1:-1])}</p>')
            else:
                if self._items:
                    self._flush()
                self._para.append(_inline(line))

    def heading(self, text: str, level: int = 2) -> None:
        self._flush()
        anchor = f"{self.section}-{self.subsection}" if level > 2 else self.section
        self.parts.append(f'<h{level} id="{anchor}">{escape(text)}</h{level}>')

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self._flush()
        self._tables += 1
        caption = self._caption()
        head = "".join(f'<th scope="col">{_inline(h)}</th>' for h in header)
        body = "".join(
            "<tr>" + "".join(_cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
        )
        self.parts.append(
            f'<div class="table-wrap" role="region" tabindex="0"'
            f' aria-label="{escape(caption)}"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )

    def sub(self, section: str, index: int) -> None:
        self._charts_after()
        self.subsection = index
        super().sub(section, index)

    # -- structure -------------------------------------------------------------
    def open_section(self, section_id: str, heading: str) -> None:
        self.section, self.subsection = section_id, None
        self.parts.append(f'<section aria-labelledby="{section_id}">')
        self.heading(heading)
        chart = CHARTS.get((section_id, "start"))
        if chart:
            self.parts.append(chart(self))

    def close_section(self) -> None:
        self._charts_after()
        self._flush()
        self.parts.append("</section>")

    def _charts_after(self) -> None:
        self._flush()
        key = (self.section, "end" if self.subsection is None else self.subsection)
        chart = CHARTS.get(key)
        if chart:
            self.parts.append(chart(self))

    def _caption(self) -> str:
        heading = next(s for s in SECTIONS if s.id == self.section)
        name = heading.ja if self.lang == "ja" else heading.en
        return f"{name} — {self.t('html.table')} {self._tables}"

    def _flush(self) -> None:
        if self._para:
            self.parts.append("<p>" + "<br>".join(self._para) + "</p>")
            self._para = []
        if self._items:
            self.parts.append("<ul>" + "".join(self._items) + "</ul>")
            self._items = []

    # -- chart helpers -----------------------------------------------------------
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
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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


def _daily(d: _HtmlDoc) -> str:
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


def _hourly(d: _HtmlDoc) -> str:
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


def _weekly(d: _HtmlDoc) -> str:
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


def _mix(d: _HtmlDoc) -> str:
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


def _costs(d: _HtmlDoc) -> str:
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


def _burn_down(d: _HtmlDoc) -> str:
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


def _timeline(d: _HtmlDoc) -> str:
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


def _midnight(day: date, d: _HtmlDoc) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=d.zone)


CHARTS: dict[tuple[str, str | int], Callable[[_HtmlDoc], str]] = {
    ("performance", 0): _weekly,
    ("performance", 1): _hourly,
    ("performance", 2): _daily,
    ("performance", 3): _mix,
    ("incidents", "start"): _timeline,
    ("costs", 0): _costs,
    ("slo", "end"): _burn_down,
}
"""Where each chart goes: after subsection N of a section, or at its start or end."""


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
.table-wrap { overflow-x: auto; margin: .8rem 0; }
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
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } nav.toc { position: static; } }
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
  figure details { display: none; }
  .table-wrap { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def render_html(report: Report, lang: Lang, *, alternate: str | None = None) -> str:
    """The whole page; ``alternate`` is the file name of the other language's page, if written."""
    d = _HtmlDoc(report, lang)
    title = d.t("title", env=report.document.environment, month=report.period.month)
    other: Lang = "en" if lang == "ja" else "ja"
    alt_link = (
        f' · <a class="alt" href="{escape(alternate)}" hreflang="{other}" lang="{other}">'
        f"{escape(d.t('html.other_lang'))}</a>"
        if alternate
        else ""
    )
    for section in SECTIONS:
        d.open_section(section.id, section.ja if lang == "ja" else section.en)
        RENDERERS[section.id](d)
        d.close_section()
    toc = "".join(
        f'<li><a href="#{s.id}">{escape(s.ja if lang == "ja" else s.en)}</a></li>' for s in SECTIONS
    )
    period = (
        f"{d.when(report.period.start)} – {d.when(report.period.end)} ({report.period.timezone})"
    )
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<meta name="generator" content="portfolio report">\n<style>{CSS}</style>\n</head>\n'
        f'<body>\n<a class="skip" href="#main">{escape(d.t("html.skip"))}</a>\n'
        f'<header class="doc"><h1>{escape(title)}</h1>'
        f"<p>{escape(d.t('doc.period'))}: {escape(period)}{alt_link}</p></header>\n"
        f'<div class="layout">\n<nav class="toc" aria-label="{escape(d.t("html.toc"))}">'
        f"<ol>{toc}</ol></nav>\n"
        f'<main id="main" tabindex="-1">\n' + "\n".join(d.parts) + "\n</main>\n</div>\n"
        "</body>\n</html>\n"
    )
