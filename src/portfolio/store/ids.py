"""Server-made identifiers and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import os
import time

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
