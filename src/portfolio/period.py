"""The reporting period: a calendar month in a time zone.

The CLI, the report, the simulator, the sources and the operations log all speak of
months; this module sits below all of them so none has to import another to get one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portfolio.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month in a time zone; ``start``/``end`` are the UTC instants bounding it."""

    year: int
    month: int
    tz: str

    @classmethod
    def parse(cls, text: str, tz: str) -> Period:
        match = _MONTH.match(text.strip())
        if not match:
            raise InputError(f"month must look like 2025-08, got {text!r}")
        period = cls(int(match.group(1)), int(match.group(2)), tz)
        try:  # Python's datetime ends at the years 1 and 9999, shifted by the zone
            period.start, period.end  # noqa: B018
        except (ValueError, OverflowError) as err:
            raise InputError(
                f"month out of range, got {text!r}: its start and end must fall within"
                " the years 0001-9999"
            ) from err
        return period

    @classmethod
    def previous_to(cls, moment: datetime, tz: str) -> Period:
        local = moment.astimezone(ZoneInfo(tz))
        first = local.date().replace(day=1) - timedelta(days=1)
        return cls(first.year, first.month, tz)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    @property
    def days(self) -> list[date]:
        count = calendar.monthrange(self.year, self.month)[1]
        return [date(self.year, self.month, d) for d in range(1, count + 1)]

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def previous(self) -> Period:
        if self.month == 1:
            return Period(self.year - 1, 12, self.tz)
        return Period(self.year, self.month - 1, self.tz)

    def next(self) -> Period:
        if self.month == 12:
            return Period(self.year + 1, 1, self.tz)
        return Period(self.year, self.month + 1, self.tz)
