"""Numbers, dates, data-source names and 'no data' phrases in one report language.

The composer (compose.py) and its sections (report/sections/) write every
figure through a Fmt, so a percentage or a date reads the same in every section.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portfolio.report import numbers
from portfolio.report.model import Report
from portfolio.report.render.text import Lang, t

ORIGINAL_MONTH = "2025-08"
"""The month the original report covers, which the demo reproduces."""


class Fmt:
    """Numbers (by report.numbers' rules), dates and 'no data' phrases in one language."""

    def __init__(self, report: Report, lang: Lang) -> None:
        self.r = report
        self.lang = lang
        self.zone = ZoneInfo(report.period.timezone)

    def original_demo(self) -> bool:
        """The demo's run of the original's own month: where comparing with it belongs."""
        return self.r.document.simulated and self.r.period.month == ORIGINAL_MONTH

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def nd(self, reason: str) -> str:
        return self.t("no_data_because", reason=self.t(reason))

    def person(self, name: str) -> str:
        """A name from the settings; unset, the team's name in this language."""
        return name or self.t("l.default_author")

    def sources(self) -> str:
        """The data sources, named in this language where their kind is known."""
        return self.t("list_sep").join(source_label(self, s) for s in self.r.document.sources)

    def num(self, value: float | None, digits: int = 0, reason: str = "reason.no_traffic") -> str:
        return self.nd(reason) if value is None else numbers.number(value, digits)

    def pct(self, value: float | None, digits: int = 1, reason: str = "reason.no_traffic") -> str:
        return self.nd(reason) if value is None else numbers.percent(value, digits)

    def ms(self, value: float | None, digits: int = 0, reason: str = "reason.no_traffic") -> str:
        if value is None:
            return self.nd(reason)
        return numbers.ms(value, self.lang, digits)

    def usd(self, value: float | None, digits: int = 2, reason: str = "reason.no_cost") -> str:
        if value is None:
            return self.nd(reason)
        return numbers.usd(value, digits)

    def change(self, value: float | None) -> str:
        return self.t("reason.no_previous") if value is None else numbers.change(value)

    def day(self, value: date) -> str:
        return self.t("date", year=value.year, month=value.month, day=value.day)

    def when(self, value: datetime) -> str:
        local = value.astimezone(self.zone)
        return f"{self.day(local.date())} {local:%H:%M}"

    def text(self, value: str) -> str:
        """A recorded text may hold both languages as 'ja / en': each report takes its own."""
        if " / " in value:
            ja, en = value.split(" / ", 1)
            return ja.strip() if self.lang == "ja" else en.strip()
        return value

    def hours(self, hours: list[int]) -> str:
        """[9, 10, 13, 14] -> '9:00-11:00, 13:00-15:00', as the original writes them."""
        spans: list[tuple[int, int]] = []
        for h in sorted(hours):
            if spans and spans[-1][1] == h:
                spans[-1] = (spans[-1][0], h + 1)
            else:
                spans.append((h, h + 1))
        return ", ".join(f"{a}:00-{b}:00" for a, b in spans)


_SOURCE_KINDS = (
    (re.compile(r"^local (?P<backend>\w+) store$"), "src.local"),
    (re.compile(r"^AWS (?P<region>[\w-]+) \(CloudWatch, Cost Explorer\)$"), "src.aws"),
    (re.compile(r"^ALB access logs \((?P<files>\d+) files\)$"), "src.alb"),
)
"""The descriptions sources give themselves (sources/*.py), by kind, for the label tables."""


def source_label(f: Fmt, source: str) -> str:
    for pattern, key in _SOURCE_KINDS:
        match = pattern.match(source)
        if match:
            return f.t(key, **match.groupdict())
    return source
