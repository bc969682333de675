"""The archive page: one row per month with its four KPIs and files, and the trends.

Same style sheet, dark mode and phone layout as the report (render.style), the same SVG
charts (render.svg), no script and nothing fetched: the page works from a folder, a
bucket or a mail. The last 12 months' charts are open; all months' are one click away
(a <details>, no script). Each chart carries its figures as a data table. Formatting
only: every figure is a month's report.json value (report.series).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from portfolio.report import numbers
from portfolio.report.kpis import KPIS, Kind
from portfolio.report.render.style import CSS
from portfolio.report.render.svg import PALETTE, Series, bar_chart, empty_chart, line_chart
from portfolio.report.render.text import STATUS_ICON, TEXT, Lang, t
from portfolio.report.rules import SERVICE_NAMES
from portfolio.report.series import Archive, ArchiveMonth, KpiFigure

__all__ = ["ARCHIVE_KPIS", "AT_A_GLANCE", "kpi_text", "render_archive"]

ARCHIVE_KPIS = ("availability", "response_time_avg", "error_rate", "monthly_cost")
ZOOMED_KPIS = frozenset({"availability"})
"""KPIs whose chart's axis starts near the lowest month, not at 0: availability lives
between 99 and 100 %, where a month at 99.5 would otherwise look the same as 100."""
"""The summary's four key indicators (運用実績サマリー), as the report's tiles show them."""
AT_A_GLANCE = 12
"""Months the open charts cover; every month held is in the folded ones below."""
TOP_SERVICES = 6
_COLOURS = ("blue", "orange", "green", "purple", "red", "grey")

EXTRA_CSS = """
main.archive { max-width: 78rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; min-width: 0; }
main.archive td.kpi { white-space: nowrap; font-variant-numeric: tabular-nums; }
main.archive td.kpi.missed { color: #b3261e; } main.archive td.kpi.warn { color: #7a3e00; }
main.archive .files a { margin-right: .4em; white-space: nowrap; }
main.archive td.files { min-width: 15rem; } main.archive tr[data-month] > th { min-width: 8rem; }
main.archive .tag { font-size: .75rem; color: var(--muted); display: block; }
main.archive details.trends > summary { cursor: pointer; font-size: 1.1rem; font-weight: 600;
  margin: 1.2rem 0 .4rem; color: var(--accent); }
@media (prefers-color-scheme: dark) {
  main.archive td.kpi.missed { color: #ff8a80; } main.archive td.kpi.warn { color: #ffd18a; } }
@media (max-width: 900px) { main.archive { padding: 1rem; } }
"""


def kpi_text(kpi: KpiFigure | None, lang: Lang, value: float | None = None) -> str:
    """A KPI's actual (or ``value``) as the report writes it; '—' for no figure."""
    if kpi is None:
        return t(lang, "ar.no_field")
    figure = kpi.actual if value is None else value
    if figure is None:
        return t(lang, "no_data")
    spec = KPIS.get(kpi.id)
    digits = spec.actual_digits if spec else 2
    match kpi.kind:
        case Kind.PERCENT:
            return numbers.percent(figure, digits)
        case Kind.MILLISECONDS:
            return numbers.ms(figure, lang)
        case Kind.USD:
            return numbers.usd(figure, 2)
    return numbers.number(figure, digits)


def _kpi_cell(month: ArchiveMonth, kpi_id: str, lang: Lang) -> str:
    kpis = month.figures.kpis
    kpi = kpis.get(kpi_id) if kpis is not None else None
    status = kpi.status if kpi is not None else "no_data"
    icon = STATUS_ICON.get(status, STATUS_ICON["no_data"])
    return (
        f'<td class="kpi {escape(status)}" data-kpi="{kpi_id}" data-status="{escape(status)}">'
        f'{escape(kpi_text(kpi, lang))} <span class="mark">{icon}</span></td>'
    )


def _files_cell(month: ArchiveMonth, lang: Lang) -> str:
    groups = []
    for group in ("ja", "en"):
        links = [
            f'<a href="{escape(month.files[key])}">{ext.upper()}</a>'
            for key in month.files
            if key.startswith(f"{group}.")
            for ext in (key.split(".", 1)[1],)
        ]
        if links:
            groups.append(
                f'<span lang="{group}">{t(lang, f"ar.lang.{group}")}:</span> ' + " ".join(links)
            )
    groups.append(f'<a href="{escape(month.files["json"])}">JSON</a>')
    return '<td class="files">' + " · ".join(groups) + "</td>"


def _row(month: ArchiveMonth, lang: Lang) -> str:
    f = month.figures
    tags = [t(lang, "ar.simulated")] if f.simulated else []
    if f.missing:
        tags.append(t(lang, "ar.missing", version=f.schema_version, parts=", ".join(f.missing)))
    tag = "".join(f'<span class="tag">{escape(x)}</span>' for x in tags)
    cells = "".join(_kpi_cell(month, kpi_id, lang) for kpi_id in ARCHIVE_KPIS)
    return (
        f'<tr data-month="{escape(f.month)}"><th scope="row">{escape(f.month)}{tag}</th>'
        f"{cells}{_files_cell(month, lang)}</tr>"
    )


def _table(archive: Archive, lang: Lang) -> str:
    head = [
        t(lang, "ar.c.month"),
        *(t(lang, f"k.{k}") for k in ARCHIVE_KPIS),
        t(lang, "ar.c.files"),
    ]
    header = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    rows = "".join(_row(m, lang) for m in reversed(archive.months))
    label = escape(t(lang, "ar.months"))
    return (
        f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">'
        f'<table class="months"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table></div>'
    )


def _data_table(lang: Lang, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<details><summary>{escape(t(lang, 'html.data'))}</summary>"
        f'<div class="table-wrap"><table class="chart-data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></details>"
    )


def _figure(uid: str, svg: str, caption: str, data: str) -> str:
    return (
        f'<figure class="chart-figure" id="fig-{uid}"><div class="chart-scroll">{svg}</div>'
        f"<figcaption>{escape(caption)}</figcaption>{data}</figure>"
    )


def _kpi_chart(months: Sequence[ArchiveMonth], kpi_id: str, lang: Lang, uid: str) -> str:
    name = t(lang, f"k.{kpi_id}")
    labels = [m.figures.month for m in months]
    found = [(m.figures.kpis or {}).get(kpi_id) for m in months]
    values = [k.actual if k else None for k in found]
    target = next((k.target for k in reversed(found) if k and k.target is not None), None)
    title = t(lang, "ar.chart.kpi", name=name)
    any_kpi = next((k for k in found if k), None)
    target_text = kpi_text(any_kpi, lang, target) if any_kpi and target is not None else "—"
    desc = t(lang, "ar.chart.kpi.desc", name=name, target=target_text)
    data = _data_table(
        lang, [t(lang, "ar.c.month"), name],
        [[m, kpi_text(k, lang)] for m, k in zip(labels, found, strict=True)],
    )  # fmt: skip
    if not any(v is not None for v in values):
        return _figure(uid, empty_chart(uid, title, t(lang, "no_data")), desc, data)
    svg = line_chart(
        uid, title, desc, labels, [Series(name, values, PALETTE["blue"])],
        reference=(target, target, f"{t(lang, 'ar.target')} {target_text}") if target else None,
        value_text=lambda v: kpi_text(any_kpi, lang, v),
        label_every=max(1, len(labels) // 12),
        zoom=kpi_id in ZOOMED_KPIS,
    )  # fmt: skip
    return _figure(uid, svg, desc, data)


def _daily_chart(months: Sequence[ArchiveMonth], lang: Lang, uid: str) -> str:
    days = [d for m in months for d in (m.figures.daily or [])]
    title = t(lang, "ar.chart.daily")
    if not days:
        return _figure(uid, empty_chart(uid, title, t(lang, "no_data")), title, "")
    desc = t(lang, "ar.chart.daily.desc", days=len(days), first=days[0][0], last=days[-1][0])
    labels = [day[5:].replace("-", "/") if day.endswith("-01") else "" for day, _ in days]
    svg = bar_chart(
        uid, title, desc, labels, [float(n) for _, n in days],
        tooltips=[f"{day}: {numbers.count(n)}" for day, n in days],
        unit=t(lang, "chart.requests_unit"),
    )  # fmt: skip
    rows = [[day, numbers.count(n)] for day, n in days]
    return _figure(
        uid, svg, desc, _data_table(lang, [t(lang, "ar.c.date"), t(lang, "ar.c.requests")], rows)
    )


def _cost_chart(months: Sequence[ArchiveMonth], lang: Lang, uid: str) -> str:
    title = t(lang, "ar.chart.costs")
    totals: dict[str, float] = {}
    for m in months:
        for service, usd in (m.figures.costs or {}).items():
            totals[service] = totals.get(service, 0.0) + usd
    top = sorted(totals, key=lambda s: -totals[s])[:TOP_SERVICES]
    if not top:
        return _figure(uid, empty_chart(uid, title, t(lang, "no_data")), title, "")
    labels = [m.figures.month for m in months]
    series = [
        Series(SERVICE_NAMES.get(s, s),
               [(m.figures.costs or {}).get(s) if m.figures.costs is not None else None
                for m in months],
               PALETTE[_COLOURS[i % len(_COLOURS)]])
        for i, s in enumerate(top)
    ]  # fmt: skip
    desc = t(lang, "ar.chart.costs.desc", count=len(top))
    svg = line_chart(uid, title, desc, labels, series, unit="USD",
                     value_text=lambda v: numbers.usd(v))  # fmt: skip
    header = [t(lang, "ar.c.month"), *(s.name for s in series)]
    rows = [
        [label, *("—" if s.values[i] is None else numbers.usd(s.values[i] or 0.0) for s in series)]
        for i, label in enumerate(labels)
    ]
    return _figure(uid, svg, desc, _data_table(lang, header, rows))


def _charts(months: Sequence[ArchiveMonth], lang: Lang, prefix: str) -> str:
    parts = [_kpi_chart(months, k, lang, f"{prefix}-{k}") for k in ARCHIVE_KPIS]
    parts.append(_daily_chart(months, lang, f"{prefix}-daily"))
    parts.append(_cost_chart(months, lang, f"{prefix}-costs"))
    return "".join(parts)


def _trends(archive: Archive, lang: Lang) -> str:
    recent = archive.months[-AT_A_GLANCE:]
    if not recent:
        return ""
    out = (
        f'<details class="trends" open id="trends"><summary>'
        f"{escape(t(lang, 'ar.charts', count=len(recent)))}</summary>"
        f"{_charts(recent, lang, 'r')}</details>"
    )
    if len(archive.months) > len(recent):
        out += (
            f'<details class="trends" id="trends-all"><summary>'
            f"{escape(t(lang, 'ar.charts.older', count=len(archive.months)))}</summary>"
            f"{_charts(archive.months, lang, 'a')}</details>"
        )
    return out


def render_archive(archive: Archive, lang: Lang) -> str:
    """The whole index page in one language, linking the other language's page."""
    months = archive.months
    env = archive.environment or TEXT[lang]["l.default_author"]
    title = t(lang, "ar.title", env=env)
    other: Lang = "en" if lang == "ja" else "ja"
    lead = (
        t(lang, "ar.lead", count=len(months), first=months[0].figures.month,
          last=months[-1].figures.month)
        if months else t(lang, "ar.empty")
    )  # fmt: skip
    paths = ", ".join(archive.unreadable)
    unreadable = (
        f'<p class="notice" role="note">{escape(t(lang, "ar.unreadable", paths=paths))}</p>'
        if archive.unreadable
        else ""
    )
    body = (
        f'<section aria-labelledby="months"><h2 id="months">{escape(t(lang, "ar.months"))}</h2>'
        f"{_table(archive, lang)}</section>{_trends(archive, lang)}"
        if months
        else ""
    )
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{escape(title)}</title>\n"
        f'<meta name="generator" content="portfolio report archive">\n'
        f"<style>{CSS}{EXTRA_CSS}</style>\n</head>\n<body>\n"
        f'<a class="skip" href="#main">{escape(t(lang, "html.skip"))}</a>\n'
        f'<header class="doc"><h1>{escape(title)}</h1><p>{escape(lead)} · '
        f'<a class="alt" href="index.{other}.html" hreflang="{other}" lang="{other}">'
        f"{escape(t(lang, 'html.other_lang'))}</a></p></header>\n"
        f'<main id="main" class="archive" tabindex="-1">{unreadable}{body}</main>\n'
        "</body>\n</html>\n"
    )
