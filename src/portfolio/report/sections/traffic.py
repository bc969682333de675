"""パフォーマンス分析 / トラフィック分析: daily requests and the request pattern."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Chart, Document, Field, Fields, Rule, Table
from portfolio.report.fmt import Fmt
from portfolio.report.model import OTHER_PATTERN_GROUP
from portfolio.report.sections.common import heading


def traffic(doc: Document, f: Fmt) -> None:
    tr = f.r.traffic
    heading(doc, 3, "h.perf.traffic", "perf-traffic")
    heading(doc, 4, "h.perf.daily", "perf-daily")

    def on(day: object) -> str:
        if day is None:
            return f.nd("reason.no_traffic")
        d = day  # a DayCount
        return f.t("per_day_on", value=numbers.count(d.requests), date=f.day(d.date))  # type: ignore[attr-defined]

    doc.add(
        Fields(
            [
                Field(
                    f.t("l.daily_avg"),
                    f.nd("reason.no_traffic")
                    if tr.daily_average is None
                    else f.t("per_day", value=numbers.number(tr.daily_average, 0)),
                ),
                Field(f.t("l.daily_max"), on(tr.busiest_day)),
                Field(f.t("l.daily_min"), on(tr.quietest_day)),
                Field(f.t("l.total_requests"), numbers.count(tr.total_requests)),
                Field(f.t("l.days_with_traffic"), f"{tr.days_with_traffic} / {f.r.period.days}"),
                *(
                    [Field(f.t("l.outside_probe"), numbers.count(tr.outside_probe_requests))]
                    if tr.outside_probe_requests is not None
                    else []
                ),
            ]
        ),
        Chart("daily"),
        Table(
            [f.t("c.date"), f.t("c.requests"), f.t("c.errors"), f.t("c.avg")],
            [
                [
                    f.day(x.date),
                    numbers.count(x.requests),
                    numbers.count(x.errors_5xx),
                    f.ms(x.avg_ms),
                ]
                for x in tr.daily
            ],
            collapse=True,
        ),
    )
    heading(doc, 4, "h.perf.pattern", "perf-pattern")
    items = []
    for group in tr.pattern:
        share = numbers.percent(100 * group.share, 0)
        if group.group == OTHER_PATTERN_GROUP:
            items.append(Field(f.t("l.other"), share))
            continue
        label = (
            f"{group.method} {group.group}"
            if group.method
            else f.t("pattern.all", path=group.group)
        )
        name = f.t(f"pattern.{group.group}")
        items.append(Field(label, f.t("share_named", share=share, name=name)))
    if not items:
        items.append(Field(f.t("l.other"), f.nd("reason.no_traffic")))
    doc.add(Fields(items), Chart("mix"), Rule())
