"""The store seam: what every backend (SQLite, DynamoDB) must do.

Handlers and report sources depend on these protocols only. One contract suite
in tests/contract/ runs against every implementation.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Literal, Protocol

from portfolio.store.callstats import CallStats
from portfolio.store.kinds import Cursor, Entry, Kind, Page, PutResult, TimeRange
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

Resolution = Literal["minute", "hour"]


class UserRepository(Protocol):
    def create_user(self, new: NewUser) -> User:
        """Store a new user with version 1; DuplicateEmailError if the email is taken."""
        ...

    def get_user(self, user_id: str) -> User:
        """NotFoundError when absent."""
        ...

    def list_users(self, *, limit: int, cursor: str | None = None) -> UsersPage:
        """Users in creation order; ``cursor`` is the opaque next_cursor of the previous page."""
        ...

    def update_user(self, user_id: str, changes: UserChanges, *, expected_version: int) -> User:
        """Apply ``changes`` if the stored version equals ``expected_version``; bump the version.

        NotFoundError, VersionMismatchError or DuplicateEmailError otherwise; the check
        and the write are one atomic step so concurrent writers cannot both win.
        """
        ...

    def delete_user(self, user_id: str, *, expected_version: int) -> None:
        """Delete if the version matches; NotFoundError or VersionMismatchError otherwise."""
        ...


class MetricsRepository(Protocol):
    def write_rollups(
        self, rollups: Sequence[Rollup], *, resolution: Resolution | None = None
    ) -> None:
        """Merge rollups into stored ones with the same key (counts add, sketches merge).

        ``resolution=None`` (bulk loads): the minute rows and the hours they fall in.
        ``"minute"`` or ``"hour"``: that table only, so the live recorder writes each
        closed minute once and each closed hour once (an hour's ``minute`` is its start).
        Concurrent writers of one key never lose counts, and a retried write whose
        first attempt landed is not counted twice.
        """
        ...

    def read_rollups(
        self,
        start: int,
        end: int,
        *,
        endpoint: str | None = None,
        resolution: Resolution = "minute",
    ) -> Iterable[Rollup]:
        """Rollups with ``start <= minute < end`` (epoch seconds).

        Hourly rollups (``minute`` = the hour's start) let long ranges read 60
        times fewer rows with the same figures.
        """
        ...

    def read_minute_totals(self, start: int, end: int) -> list[MinuteTotals]:
        """Per-minute request totals over all endpoints and tasks, in minute order.

        A separate read because a month has ~40k minutes of ~10 rollups each: the
        report needs their counts and latency sums, not their sketches.
        """
        ...

    def write_resource_samples(self, samples: Sequence[ResourceSample]) -> None: ...

    def read_resource_samples(self, start: int, end: int) -> Iterable[ResourceSample]: ...

    def write_probe_results(self, results: Sequence[ProbeResult]) -> None: ...

    def read_probe_results(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> Iterable[ProbeResult]:
        """Probes of one target (default: the API, whose probes are the availability record)."""
        ...

    def read_probe_counts(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> ProbeCounts:
        """How many probes of the target the range holds and how many succeeded."""
        ...

    def read_resource_summary(self, start: int, end: int) -> ResourceSummary:
        """The range's resource samples summed up (store.summaries defines the figures).

        The report shows means, maxima and workers per minute, not a month's ~90k samples.
        """
        ...

    def write_log_counts(self, counts: Sequence[LogCount]) -> None:
        """Add counts to stored ones with the same (minute, task, level)."""
        ...

    def read_log_counts(self, start: int, end: int) -> Iterable[LogCount]: ...

    def write_store_stats(self, stats: Sequence[StoreCallStat]) -> None:
        """Add call statistics to stored ones with the same (minute, task, backend, operation)."""
        ...

    def read_store_stats(self, start: int, end: int) -> Iterable[StoreCallStat]:
        """Statistics summed per hour (``minute`` = the hour's start) and operation.

        Hourly because a month of per-minute rows is ~200k and every reader (the
        report's data-store section) wants sums over long ranges.
        """
        ...


class OpsLog(Protocol):
    def add_check_run(self, run: CheckRun) -> None:
        """Record a run; ConflictError if this run is already recorded (a retried write).

        The same holds for every ``add_*`` of the operations log.
        """
        ...

    def list_check_runs(self, start: datetime, end: datetime) -> list[CheckRun]: ...

    def add_incident(self, incident: Incident) -> None: ...

    def update_incident(self, incident: Incident) -> None:
        """Replace the stored incident with the same id; NotFoundError when absent."""
        ...

    def get_incident(self, incident_id: str) -> Incident: ...

    def list_incidents(self, start: datetime, end: datetime) -> list[Incident]:
        """Incidents that overlap [start, end); one still open counts as ongoing."""
        ...

    def add_maintenance(self, window: MaintenanceWindow) -> None: ...

    def list_maintenance(self, start: datetime, end: datetime) -> list[MaintenanceWindow]: ...

    def add_work_item(self, item: WorkItem) -> None: ...

    def list_work_items(self, start: datetime, end: datetime) -> list[WorkItem]: ...


class TransferRepository(Protocol):
    """Every record of the store by kind, and records put back as they are: what
    export, import and copy (store/transfer/) need and no other caller does."""

    def export_page(self, span: TimeRange, after: Cursor | None, *, limit: int = 1000) -> Page:
        """Up to about ``limit`` records in ``span`` after the cursor of the previous page.

        The order is fixed for a store that does not change, so a copy resumed from a
        checkpointed cursor lists what it had not listed yet.
        """
        ...

    def put_records(self, entries: Sequence[Entry]) -> PutResult:
        """Store each record as it is, replacing one with the same key (no merge, no new
        id or version): putting the same records twice leaves the store as once.

        DuplicateEmailError when a user's email belongs to another user of the store.
        """
        ...

    def count_records(self, span: TimeRange) -> dict[Kind, int]:
        """How many records of each kind ``span`` holds (kinds with none are left out)."""
        ...

    def sum_again(self, span: TimeRange) -> int:
        """Sum the store's kept sums of ``span`` (both ends given) again from its records;
        the number of hours summed.

        SQLite's triggers keep its sums in every write (0: nothing to do). DynamoDB's
        writers keep its packs (store/dynamodb/packed.py); a table written by a version
        before them has records without packs until their hours are summed here.
        """
        ...


class Store(UserRepository, MetricsRepository, OpsLog, TransferRepository, Protocol):
    """Everything the system keeps, behind one object."""

    backend: str
    call_stats: CallStats

    def ping(self) -> None:
        """Return if the store answers; StoreUnavailableError otherwise."""
        ...

    def change_token(self) -> Hashable | None:
        """A value that differs after any commit, by anyone; None if it cannot be told cheaply.

        Readers may keep what they read while the token is unchanged (the API's user
        reads); None means every read must go to the store.
        """
        ...

    def close(self) -> None: ...
