"""Times as the SQLite store keeps them: epoch seconds (REAL), read back in UTC.

A naive datetime is refused on the way in: the store never guesses a zone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portfolio.errors import InputError


def to_ts(value: datetime) -> float:
    """Epoch seconds of an aware datetime (InputError for a naive one)."""
    if value.tzinfo is None:
        raise InputError("times must carry a time zone")
    return value.timestamp()


def from_ts_opt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def from_ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)
