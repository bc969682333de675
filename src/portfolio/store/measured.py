"""The one timing-and-error wrapper at the store seam.

Every call through :class:`MeasuredStore` is timed into the backend's
:class:`~portfolio.store.callstats.CallStats` the same way, whatever the backend
(the data-store section's latency and error figures), and whatever a backend's
library raises that the backend did not translate itself (``sqlite3`` errors,
``OSError`` such as a full disk, a botocore error code nobody expected) leaves
as a :class:`~portfolio.errors.StoreError` subclass: callers, the API and the
telemetry flusher, only ever handle the exception tree of ``errors.py``.

Translators are a registry keyed by exception class; the most specific class
in an exception's MRO wins. A backend module registers its library's errors
when it is imported (``dynamodb/client.py`` registers botocore's); the
standard library's are registered here.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any, ParamSpec, TypeVar, cast

from portfolio.errors import PortfolioError, StoreError, StoreUnavailableError
from portfolio.registry import Registry
from portfolio.store.callstats import CallStats
from portfolio.store.kinds import Cursor, Entry, Kind, Page, PutResult, TimeRange
from portfolio.store.protocols import Resolution, Store
from portfolio.store.records import (
    PROBE_API,
    CheckRun,
    Incident,
    LogCount,
    MaintenanceWindow,
    MinuteTotals,
    NewUser,
    ProbeCounts,
    ProbeResult,
    ResourceSample,
    ResourceSummary,
    Rollup,
    StoreCallStat,
    User,
    UserChanges,
    UsersPage,
    WorkItem,
)

P = ParamSpec("P")
T = TypeVar("T")
E = TypeVar("E", bound=Exception)

Translator = Callable[[Exception, str], StoreError]
"""Turns a library's exception into a StoreError; gets the exception and a one-line context."""

TRANSLATORS: Registry[type[Exception], Translator] = Registry("error translator")
"""Exception class -> its translator; a backend registers those of its library."""


def register_translator(kind: type[E], translate: Callable[[E, str], StoreError]) -> None:
    """Map ``kind`` (and its subclasses without a translator of their own) to a StoreError."""
    TRANSLATORS.register(kind, cast(Translator, translate))


def translate(err: Exception, context: str) -> StoreError | None:
    """The StoreError for ``err``, or None when no translator knows its class (a bug)."""
    for kind in type(err).__mro__:
        translator = TRANSLATORS.get(kind)
        if translator is not None:
            return translator(err, context)
    return None


def _unavailable(err: Exception, context: str) -> StoreError:
    full = isinstance(err, OSError) and err.errno == errno.ENOSPC
    reason = "disk-full" if full else "store-unreachable"
    return StoreUnavailableError(f"{context}: {err}; retry later", reason=reason)


def _failed(err: Exception, context: str) -> StoreError:
    return StoreError(f"{context}: {err}")


# sqlite3: OperationalError is the file's state (locked, disk full, I/O error,
# read-only), which can pass; the rest (a corrupt file, misuse) will not.
register_translator(sqlite3.OperationalError, _unavailable)
register_translator(sqlite3.Error, _failed)
register_translator(OSError, _unavailable)  # ENOSPC, EIO, a vanished directory


class MeasuredStore:
    """A :class:`~portfolio.store.protocols.Store` that times and translates every call.

    ``inner`` is the backend; ``measured()`` never wraps twice.
    """

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.backend: str = inner.backend
        self.call_stats: CallStats = inner.call_stats

    def __getattr__(self, name: str) -> Any:
        """What only one backend has (a SQLite file's ``path``, DynamoDB's table names)
        reads through, so code that asks for it keeps working behind the wrapper."""
        if name == "inner":  # not set yet (copying, unpickling): no endless recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _run(self, operation: str, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        with self.call_stats.timed(operation):
            return self._translated(operation, call, *args, **kwargs)

    def _translated(
        self, operation: str, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        try:
            return call(*args, **kwargs)
        except PortfolioError:
            raise
        except Exception as err:
            mapped = translate(err, f"{self.backend} store: {operation} failed")
            if mapped is None:
                raise
            raise mapped from err

    # -- lifecycle -----------------------------------------------------------------

    def ping(self) -> None:
        self._run("ping", self.inner.ping)

    def close(self) -> None:
        self._run("close", self.inner.close)

    def change_token(self) -> Hashable | None:
        """Not timed: it is a check that spares a store call, not one of the store's calls."""
        return self._translated("change_token", self.inner.change_token)

    # -- users ---------------------------------------------------------------------

    def create_user(self, new: NewUser) -> User:
        return self._run("create_user", self.inner.create_user, new)

    def get_user(self, user_id: str) -> User:
        return self._run("get_user", self.inner.get_user, user_id)

    def list_users(self, *, limit: int, cursor: str | None = None) -> UsersPage:
        return self._run("list_users", self.inner.list_users, limit=limit, cursor=cursor)

    def update_user(self, user_id: str, changes: UserChanges, *, expected_version: int) -> User:
        return self._run(
            "update_user",
            self.inner.update_user,
            user_id,
            changes,
            expected_version=expected_version,
        )

    def delete_user(self, user_id: str, *, expected_version: int) -> None:
        self._run("delete_user", self.inner.delete_user, user_id, expected_version=expected_version)

    # -- metrics -------------------------------------------------------------------

    def write_rollups(
        self, rollups: Sequence[Rollup], *, resolution: Resolution | None = None
    ) -> None:
        self._run("write_rollups", self.inner.write_rollups, rollups, resolution=resolution)

    def read_rollups(
        self,
        start: int,
        end: int,
        *,
        endpoint: str | None = None,
        resolution: Resolution = "minute",
    ) -> Iterable[Rollup]:
        return self._run(
            "read_rollups",
            self.inner.read_rollups,
            start,
            end,
            endpoint=endpoint,
            resolution=resolution,
        )

    def read_minute_totals(self, start: int, end: int) -> list[MinuteTotals]:
        return self._run("read_minute_totals", self.inner.read_minute_totals, start, end)

    def write_resource_samples(self, samples: Sequence[ResourceSample]) -> None:
        self._run("write_resource_samples", self.inner.write_resource_samples, samples)

    def read_resource_samples(self, start: int, end: int) -> Iterable[ResourceSample]:
        return self._run("read_resource_samples", self.inner.read_resource_samples, start, end)

    def write_probe_results(self, results: Sequence[ProbeResult]) -> None:
        self._run("write_probe_results", self.inner.write_probe_results, results)

    def read_probe_results(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> Iterable[ProbeResult]:
        return self._run(
            "read_probe_results", self.inner.read_probe_results, start, end, target=target
        )

    def read_probe_counts(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> ProbeCounts:
        return self._run(
            "read_probe_counts", self.inner.read_probe_counts, start, end, target=target
        )

    def read_resource_summary(self, start: int, end: int) -> ResourceSummary:
        return self._run("read_resource_summary", self.inner.read_resource_summary, start, end)

    def write_log_counts(self, counts: Sequence[LogCount]) -> None:
        self._run("write_log_counts", self.inner.write_log_counts, counts)

    def read_log_counts(self, start: int, end: int) -> Iterable[LogCount]:
        return self._run("read_log_counts", self.inner.read_log_counts, start, end)

    def write_store_stats(self, stats: Sequence[StoreCallStat]) -> None:
        self._run("write_store_stats", self.inner.write_store_stats, stats)

    def read_store_stats(self, start: int, end: int) -> Iterable[StoreCallStat]:
        return self._run("read_store_stats", self.inner.read_store_stats, start, end)

    # -- operations log ------------------------------------------------------------

    def add_check_run(self, run: CheckRun) -> None:
        self._run("add_check_run", self.inner.add_check_run, run)

    def list_check_runs(self, start: datetime, end: datetime) -> list[CheckRun]:
        return self._run("list_check_runs", self.inner.list_check_runs, start, end)

    def add_incident(self, incident: Incident) -> None:
        self._run("add_incident", self.inner.add_incident, incident)

    def update_incident(self, incident: Incident) -> None:
        self._run("update_incident", self.inner.update_incident, incident)

    def get_incident(self, incident_id: str) -> Incident:
        return self._run("get_incident", self.inner.get_incident, incident_id)

    def list_incidents(self, start: datetime, end: datetime) -> list[Incident]:
        return self._run("list_incidents", self.inner.list_incidents, start, end)

    def add_maintenance(self, window: MaintenanceWindow) -> None:
        self._run("add_maintenance", self.inner.add_maintenance, window)

    def list_maintenance(self, start: datetime, end: datetime) -> list[MaintenanceWindow]:
        return self._run("list_maintenance", self.inner.list_maintenance, start, end)

    def add_work_item(self, item: WorkItem) -> None:
        self._run("add_work_item", self.inner.add_work_item, item)

    def list_work_items(self, start: datetime, end: datetime) -> list[WorkItem]:
        return self._run("list_work_items", self.inner.list_work_items, start, end)

    # -- transfer ------------------------------------------------------------------

    def export_page(self, span: TimeRange, after: Cursor | None, *, limit: int = 1000) -> Page:
        return self._run("export_page", self.inner.export_page, span, after, limit=limit)

    def put_records(self, entries: Sequence[Entry]) -> PutResult:
        return self._run("put_records", self.inner.put_records, entries)

    def count_records(self, span: TimeRange) -> dict[Kind, int]:
        return self._run("count_records", self.inner.count_records, span)

    def sum_again(self, span: TimeRange) -> int:
        return self._run("sum_again", self.inner.sum_again, span)


def measured(store: Store) -> Store:
    """``store`` behind the seam's wrapper (once: a wrapped store is returned as it is)."""
    return store if isinstance(store, MeasuredStore) else MeasuredStore(store)
