"""The HTML report's charts: one function per figure, keyed by where it goes.

Each chart places the model's figures on axes (render.svg) with a caption and, where a
reader may want the numbers, a data table; every figure is written by report.numbers'
rules, as the text writes it. A missing figure is a gap or a "no data" box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from portfolio.report import numbers
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
from portfolio.report.render.text import Lang, t
from portfolio.report.rules import SERVICE_NAMES

__all__ = ["CHARTS", "ChartContext"]


class ChartContext:
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


def _daily(d: ChartContext) -> str:
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


def _hourly(d: ChartContext) -> str:
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


def _weekly(d: ChartContext) -> str:
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


def _mix(d: ChartContext) -> str:
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


def _costs(d: ChartContext) -> str:
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


def _burn_down(d: ChartContext) -> str:
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


def _timeline(d: ChartContext) -> str:
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


def _midnight(day: date, d: ChartContext) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=d.zone)


CHARTS: dict[str, Callable[[ChartContext], str]] = {
    "weekly": _weekly,
    "hourly": _hourly,
    "daily": _daily,
    "mix": _mix,
    "timeline": _timeline,
    "costs": _costs,
    "budget": _burn_down,
}
"""Chart blocks of the document by key."""
