"""Server-made identifiers and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import os
import re
import time
from datetime import UTC, datetime

import orjson

from portfolio.errors import InputError

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A 26-character ULID: 48 bits of milliseconds then 80 random bits.

    Ids sort by creation time, so listing in id order is listing in creation
    order (to the millisecond) on every backend without a secondary index.
    """
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def encode_cursor(position: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, object]:
    """Decode a cursor made by encode_cursor; InputError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as err:
        raise InputError("cursor is not one this API returned") from err
    if not isinstance(position, dict):
        raise InputError("cursor is not one this API returned")
    return position


DETECTED_KINDS = ("latency", "errors", "outage")
"""What the report's rules detect in the measurements (IncidentRow.kind, less "recorded")."""
_DETECTED_ID = re.compile(r"^auto-(latency|errors|outage)-(\d{12})$")


def detected_incident_id(kind: str, start: datetime) -> str:
    """The id of an incident the report detected: ``auto-KIND-YYYYMMDDHHMM`` (start, UTC).

    Made from what was detected, not stored, so the same incident has the same id in
    every run of the report and `portfolio incident annotate` can name it.
    """
    return f"auto-{kind}-{start.astimezone(UTC):%Y%m%d%H%M}"


def parse_detected_incident_id(text: str) -> tuple[str, datetime] | None:
    """(kind, start in UTC) of a detected incident's id; None for any other id."""
    match = _DETECTED_ID.match(text)
    if match is None:
        return None
    started = datetime.strptime(match.group(2), "%Y%m%d%H%M").replace(tzinfo=UTC)
    return match.group(1), started
