"""The operations log on SQLite: check runs, incidents, maintenance windows, work items.

The OpsLog methods of :class:`~portfolio.store.sqlite.SQLiteStore`, kept apart from its
users and telemetry. A record written twice (its id taken) is a ConflictError, as on
DynamoDB.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

import orjson

from portfolio.errors import (
    ConflictError,
    NotFoundError,
)
from portfolio.store.records import (
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    MaintenanceWindow,
    WorkItem,
)
from portfolio.store.sqlite_time import from_ts, from_ts_opt, to_ts


class SQLiteOpsLog:
    """The OpsLog methods of :class:`~portfolio.store.sqlite.SQLiteStore`."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError  # SQLiteStore's

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # SQLiteStore's

    @contextmanager
    def _insert_once(self, what: str) -> Iterator[sqlite3.Connection]:
        """A write transaction whose primary-key clash is a ConflictError, as on DynamoDB."""
        try:
            with self._write() as conn:
                yield conn
        except sqlite3.IntegrityError as err:
            raise ConflictError(f"{what} is already recorded") from err

    def add_check_run(self, run: CheckRun) -> None:
        findings = orjson.dumps(
            [
                {"check_id": f.check_id, "status": f.status.value, "detail": f.detail}
                for f in run.findings
            ]
        ).decode()
        with self._insert_once(f"check run {run.id}") as conn:
            conn.execute(
                "INSERT INTO check_runs (id, kind, target, started_at, finished_at, findings)"
                " VALUES (?,?,?,?,?,?)",
                (
                    run.id,
                    run.kind,
                    run.target,
                    to_ts(run.started_at),
                    to_ts(run.finished_at),
                    findings,
                ),
            )

    def list_check_runs(self, start: datetime, end: datetime) -> list[CheckRun]:
        rows = (
            self._conn()
            .execute(
                "SELECT id, kind, target, started_at, finished_at, findings FROM check_runs"
                " WHERE started_at >= ? AND started_at < ? ORDER BY started_at",
                (to_ts(start), to_ts(end)),
            )
            .fetchall()
        )
        return [
            CheckRun(
                id=rid,
                kind=kind,
                target=target,
                started_at=from_ts(s),
                finished_at=from_ts(f),
                findings=tuple(
                    Finding(x["check_id"], FindingStatus(x["status"]), x["detail"])
                    for x in orjson.loads(findings)
                ),
            )
            for (rid, kind, target, s, f, findings) in rows
        ]

    _INCIDENT_COLUMNS = (
        "id, started_at, ended_at, summary, severity, impact, cause, response, prevention,"
        " detected_at, responded_at"
    )

    @staticmethod
    def _incident_row(i: Incident) -> tuple[object, ...]:
        return (
            i.id,
            to_ts(i.started_at),
            None if i.ended_at is None else to_ts(i.ended_at),
            i.summary,
            i.severity,
            i.impact,
            i.cause,
            i.response,
            i.prevention,
            None if i.detected_at is None else to_ts(i.detected_at),
            None if i.responded_at is None else to_ts(i.responded_at),
        )

    @staticmethod
    def _incident(row: tuple[Any, ...]) -> Incident:
        (iid, s, e, summary, sev, impact, cause, response, prevention, det, resp) = row
        return Incident(
            id=iid,
            started_at=from_ts(s),
            ended_at=from_ts_opt(e),
            summary=summary,
            severity=sev,
            impact=impact,
            cause=cause,
            response=response,
            prevention=prevention,
            detected_at=from_ts_opt(det),
            responded_at=from_ts_opt(resp),
        )

    def add_incident(self, incident: Incident) -> None:
        with self._insert_once(f"incident {incident.id}") as conn:
            conn.execute(
                f"INSERT INTO incidents ({self._INCIDENT_COLUMNS})"  # noqa: S608
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                self._incident_row(incident),
            )

    def update_incident(self, incident: Incident) -> None:
        row = self._incident_row(incident)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE incidents SET started_at=?, ended_at=?, summary=?, severity=?, impact=?,"
                " cause=?, response=?, prevention=?, detected_at=?, responded_at=? WHERE id=?",
                (*row[1:], row[0]),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"incident {incident.id} not found")

    def get_incident(self, incident_id: str) -> Incident:
        row = (
            self._conn()
            .execute(
                f"SELECT {self._INCIDENT_COLUMNS} FROM incidents WHERE id = ?",  # noqa: S608
                (incident_id,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFoundError(f"incident {incident_id} not found")
        return self._incident(row)

    def list_incidents(self, start: datetime, end: datetime) -> list[Incident]:
        rows = (
            self._conn()
            .execute(
                f"SELECT {self._INCIDENT_COLUMNS} FROM incidents"  # noqa: S608
                " WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?)"
                " ORDER BY started_at",
                (to_ts(end), to_ts(start)),
            )
            .fetchall()
        )
        return [self._incident(r) for r in rows]

    def add_maintenance(self, window: MaintenanceWindow) -> None:
        with self._insert_once(f"maintenance window {window.id}") as conn:
            conn.execute(
                "INSERT INTO maintenance (id, start, end, description) VALUES (?,?,?,?)",
                (window.id, to_ts(window.start), to_ts(window.end), window.description),
            )

    def list_maintenance(self, start: datetime, end: datetime) -> list[MaintenanceWindow]:
        rows = (
            self._conn()
            .execute(
                "SELECT id, start, end, description FROM maintenance"
                " WHERE start < ? AND end > ? ORDER BY start",
                (to_ts(end), to_ts(start)),
            )
            .fetchall()
        )
        return [
            MaintenanceWindow(id=i, start=from_ts(s), end=from_ts(e), description=d)
            for (i, s, e, d) in rows
        ]

    def add_work_item(self, item: WorkItem) -> None:
        with self._insert_once(f"work item {item.id}") as conn:
            conn.execute(
                "INSERT INTO work_items (id, at, kind, summary) VALUES (?,?,?,?)",
                (item.id, to_ts(item.at), item.kind, item.summary),
            )

    def list_work_items(self, start: datetime, end: datetime) -> list[WorkItem]:
        rows = (
            self._conn()
            .execute(
                "SELECT id, at, kind, summary FROM work_items WHERE at >= ? AND at < ? ORDER BY at",
                (to_ts(start), to_ts(end)),
            )
            .fetchall()
        )
        return [WorkItem(id=i, at=from_ts(a), kind=k, summary=s) for (i, a, k, s) in rows]
