"""SQLite's failures as the store's errors: what passes (503, retry) and what will not.

Every public method of the SQLite store is wrapped (``mapping_errors``) so that a
SQLite error leaves the store only as a StoreError.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from portfolio.errors import StoreError, StoreUnavailableError

T = TypeVar("T")

_UNAVAILABLE_CODES = frozenset(
    getattr(sqlite3, name)
    for name in ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN")
    if hasattr(sqlite3, name)
)
"""Primary result codes of failures that pass: a busy lock, a full disk, an I/O error."""
_REASONS = {
    getattr(sqlite3, name, -1): reason
    for name, reason in (
        ("SQLITE_FULL", "disk-full"),
        ("SQLITE_IOERR", "store-unreachable"),
        ("SQLITE_CANTOPEN", "store-unreachable"),
    )
}
"""The one word readiness says for a code; a lock (BUSY, LOCKED) is ``store-busy``."""


def store_error(err: sqlite3.Error) -> StoreError:
    """The store error for a SQLite failure: retryable ones are StoreUnavailableError (503)."""
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _UNAVAILABLE_CODES or isinstance(err, sqlite3.OperationalError):
        return StoreUnavailableError(f"sqlite: {err}", reason=_REASONS.get(primary, "store-busy"))
    return StoreError(f"sqlite: {err}")


def mapping_errors(method: Callable[..., T]) -> Callable[..., T]:
    """``method``, with a SQLite error raised as the store error ``store_error`` says."""

    @functools.wraps(method)
    def mapped(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as err:
            raise store_error(err) from err

    return mapped
