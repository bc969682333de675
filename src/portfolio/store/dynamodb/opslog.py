"""The operations log (check runs, incidents, maintenance, work items) on the metrics table.

Each kind is one partition ordered by time; items never expire.
"""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from portfolio.errors import (
    ConflictError,
    NotFoundError,
)
from portfolio.store import keys
from portfolio.store.callstats import current_note
from portfolio.store.dynamodb.client import _CONDITION_FAILED, DynamoCalls, _code
from portfolio.store.dynamodb.codecs import (
    Item,
    _check_size,
    _incident,
    _incident_item,
    _int,
    _log_sort_key,
    _n,
    _s,
    _str,
    _time,
    _us,
    check_run,
    check_run_item,
)
from portfolio.store.records import (
    CheckRun,
    Incident,
    MaintenanceWindow,
    WorkItem,
)


class DynamoOpsLog(DynamoCalls):
    """The operations log: write-once records, read by time range."""

    def _put_once(self, operation: str, item: Item, what: str) -> None:
        """Put an item that must not exist yet; ConflictError if its key is taken."""
        with self.call_stats.timed(operation) as note:
            try:
                self._call(
                    note,
                    self._client.put_item,
                    **self._put_new(self.metrics_table, item),
                    ReturnConsumedCapacity="TOTAL",
                )
            except ClientError as err:
                if _code(err) == _CONDITION_FAILED:
                    raise ConflictError(f"{what} is already recorded") from err
                raise

    def _list_log(
        self, operation: str, series: keys.Series, start: datetime, end: datetime
    ) -> list[Item]:
        """Items of a one-partition log with ``start <= time < end`` (sort key = time#id)."""
        low, high = max(_us(start), 0), _us(end)
        if high <= low:
            return []
        with self.call_stats.timed(operation) as note:
            return list(
                self._query(
                    note,
                    self.metrics_table,
                    series.partition(0),
                    low=keys.time_sort_key(low),
                    high=keys.time_sort_key(high),
                )
            )

    def add_check_run(self, run: CheckRun) -> None:
        item = check_run_item(run)
        _check_size(item, f"check run {run.id}")
        self._put_once("add_check_run", item, f"check run {run.id}")

    def list_check_runs(self, start: datetime, end: datetime) -> list[CheckRun]:
        return [
            check_run(i) for i in self._list_log("list_check_runs", keys.CHECK_RUNS, start, end)
        ]

    def add_incident(self, incident: Incident) -> None:
        item = _incident_item(incident)
        _check_size(item, f"incident {incident.id}")
        self._put_once("add_incident", item, f"incident {incident.id}")

    def update_incident(self, incident: Incident) -> None:
        item = _incident_item(incident)
        _check_size(item, f"incident {incident.id}")
        note = current_note()
        try:
            self._call(
                note,
                self._client.put_item,
                TableName=self.metrics_table,
                Item=item,
                ConditionExpression="attribute_exists(#pk)",
                ExpressionAttributeNames={"#pk": "pk"},
                ReturnConsumedCapacity="TOTAL",
            )
        except ClientError as err:
            if _code(err) == _CONDITION_FAILED:
                raise NotFoundError(f"incident {incident.id} not found") from err
            raise

    def get_incident(self, incident_id: str) -> Incident:
        note = current_note()
        response = self._call(
            note,
            self._client.get_item,
            TableName=self.metrics_table,
            Key={"pk": _s(keys.INCIDENTS.partition(0)), "sk": _s(incident_id)},
            ConsistentRead=True,
            ReturnConsumedCapacity="TOTAL",
        )
        item = response.get("Item")
        if item is None:
            raise NotFoundError(f"incident {incident_id} not found")
        return _incident(item)

    def list_incidents(self, start: datetime, end: datetime) -> list[Incident]:
        """Incidents with ``started_at < end`` that had not ended before ``start``.

        The incidents partition is read whole: incidents are few, and an overlap
        query on two times has no single sort-key range.
        """
        note = current_note()
        items = list(self._query(note, self.metrics_table, keys.INCIDENTS.partition(0)))
        incidents = [_incident(i) for i in items]
        chosen = [
            i
            for i in incidents
            if i.started_at < end and (i.ended_at is None or i.ended_at >= start)
        ]
        return sorted(chosen, key=lambda i: i.started_at)

    def add_maintenance(self, window: MaintenanceWindow) -> None:
        item: Item = {
            "pk": _s(keys.MAINTENANCE.partition(0)),
            "sk": _s(_log_sort_key(_us(window.start), window.id)),
            "id": _s(window.id),
            "start": _n(_us(window.start)),
            "end": _n(_us(window.end)),
            "description": _s(window.description),
        }
        _check_size(item, f"maintenance window {window.id}")
        self._put_once("add_maintenance", item, f"maintenance window {window.id}")

    def list_maintenance(self, start: datetime, end: datetime) -> list[MaintenanceWindow]:
        """Windows that overlap [start, end): those starting before ``end`` (a sort-key
        range), then those of them ending after ``start``."""
        start_us, end_us = _us(start), _us(end)
        note = current_note()
        items = list(
            self._query(
                note,
                self.metrics_table,
                keys.MAINTENANCE.partition(0),
                below=keys.time_sort_key(max(end_us, 0)),
            )
        )
        return [
            MaintenanceWindow(
                id=_str(i, "id"),
                start=_time(_int(i, "start")),
                end=_time(_int(i, "end")),
                description=_str(i, "description"),
            )
            for i in items
            if _int(i, "end") > start_us
        ]

    def add_work_item(self, item: WorkItem) -> None:
        record: Item = {
            "pk": _s(keys.WORK_ITEMS.partition(0)),
            "sk": _s(_log_sort_key(_us(item.at), item.id)),
            "id": _s(item.id),
            "at": _n(_us(item.at)),
            "kind": _s(item.kind),
            "summary": _s(item.summary),
        }
        _check_size(record, f"work item {item.id}")
        self._put_once("add_work_item", record, f"work item {item.id}")

    def list_work_items(self, start: datetime, end: datetime) -> list[WorkItem]:
        return [
            WorkItem(
                id=_str(i, "id"),
                at=_time(_int(i, "at")),
                kind=_str(i, "kind"),
                summary=_str(i, "summary"),
            )
            for i in self._list_log("list_work_items", keys.WORK_ITEMS, start, end)
        ]
