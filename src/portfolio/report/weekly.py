"""週次平均レスポンス時間: each week's mean, its worst and best hour, and its trend.

Weeks are the month's days 1–7, 8–14, …; the last one is partial (29–31 in a 31-day
month) and says so. 最大値/最小値 answer the reader's question "how bad did it get, and
how good" — the slowest and the fastest hour of the week by mean response time, from
the same hourly sketches as everything else — not the highest daily mean, which a
week's averaging flattens. 傾向 compares a week's mean with the week before; week 1
compares with the previous month's mean, so it too gets a word when that month had
traffic.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portfolio.report import analysis
from portfolio.report.model import WeekRow
from portfolio.telemetry.totals import RequestTotals

WEEK_DAYS = 7


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def weeks(
    days: list[date],
    by_day: Mapping[date, RequestTotals],
    by_hour: Mapping[datetime, RequestTotals],
    zone: ZoneInfo,
    previous_mean_ms: float | None = None,
) -> list[WeekRow]:
    """One row per week of ``days``; ``by_hour`` is keyed by each UTC hour's start."""
    hourly_means: dict[date, list[float]] = {}
    for hour, totals in by_hour.items():
        if totals.count and totals.mean is not None:
            hourly_means.setdefault(hour.astimezone(zone).date(), []).append(totals.mean)
    rows: list[WeekRow] = []
    previous_avg = previous_mean_ms
    for number, first in enumerate(range(0, len(days), WEEK_DAYS), start=1):
        week_days = days[first : first + WEEK_DAYS]
        group = RequestTotals()
        means: list[float] = []
        for day in week_days:
            g = by_day.get(day)
            if g is not None and g.count:
                group.absorb(g)
            means += hourly_means.get(day, [])
        avg = group.mean
        change = analysis.percent_change(avg, previous_avg)
        rows.append(
            WeekRow(
                week=number,
                start=week_days[0],
                end=week_days[-1],
                days=len(week_days),
                partial=len(week_days) < WEEK_DAYS,
                requests=group.count,
                avg_ms=_r(avg),
                max_ms=_r(max(means)) if means else None,
                min_ms=_r(min(means)) if means else None,
                p95_ms=_r(group.sketch.quantile(0.95)),
                change_percent=change,
                trend=analysis.trend(change),
            )
        )
        if avg is not None:
            previous_avg = avg
    return rows
