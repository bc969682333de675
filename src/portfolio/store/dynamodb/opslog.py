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
from portfolio.store.dynamodb.client import CONDITION_FAILED, DynamoCalls, err_code
from portfolio.store.dynamodb.codecs import (
    Item,
    check_run,
    check_run_item,
    check_size,
    from_us,
    incident_item,
    incident_of,
    int_of,
    log_sort_key,
    n_of,
    s_of,
    str_of,
    to_us,
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
                if err_code(err) == CONDITION_FAILED:
                    raise ConflictError(f"{what} is already recorded") from err
                raise

    def _list_log(
        self, operation: str, series: keys.Series, start: datetime, end: datetime
    ) -> list[Item]:
        """Items of a one-partition log with ``start <= time < end`` (sort key = time#id)."""
        low, high = max(to_us(start), 0), to_us(end)
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
        check_size(item, f"check run {run.id}")
        self._put_once("add_check_run", item, f"check run {run.id}")

    def list_check_runs(self, start: datetime, end: datetime) -> list[CheckRun]:
        return [
            check_run(i) for i in self._list_log("list_check_runs", keys.CHECK_RUNS, start, end)
        ]

    def add_incident(self, incident: Incident) -> None:
        item = incident_item(incident)
        check_size(item, f"incident {incident.id}")
        self._put_once("add_incident", item, f"incident {incident.id}")

    def update_incident(self, incident: Incident) -> None:
        item = incident_item(incident)
        check_size(item, f"incident {incident.id}")
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
            if err_code(err) == CONDITION_FAILED:
                raise NotFoundError(f"incident {incident.id} not found") from err
            raise

    def get_incident(self, incident_id: str) -> Incident:
        note = current_note()
        response = self._call(
            note,
            self._client.get_item,
            TableName=self.metrics_table,
            Key={"pk": s_of(keys.INCIDENTS.partition(0)), "sk": s_of(incident_id)},
            ConsistentRead=True,
            ReturnConsumedCapacity="TOTAL",
        )
        item = response.get("Item")
        if item is None:
            raise NotFoundError(f"incident {incident_id} not found")
        return incident_of(item)

    def list_incidents(self, start: datetime, end: datetime) -> list[Incident]:
        """Incidents with ``started_at < end`` that had not ended before ``start``.

        The incidents partition is read whole: incidents are few, and an overlap
        query on two times has no single sort-key range.
        """
        note = current_note()
        items = list(self._query(note, self.metrics_table, keys.INCIDENTS.partition(0)))
        incidents = [incident_of(i) for i in items]
        chosen = [
            i
            for i in incidents
            if i.started_at < end and (i.ended_at is None or i.ended_at >= start)
        ]
        return sorted(chosen, key=lambda i: i.started_at)

    def add_maintenance(self, window: MaintenanceWindow) -> None:
        item: Item = {
            "pk": s_of(keys.MAINTENANCE.partition(0)),
            "sk": s_of(log_sort_key(to_us(window.start), window.id)),
            "id": s_of(window.id),
            "start": n_of(to_us(window.start)),
            "end": n_of(to_us(window.end)),
            "description": s_of(window.description),
        }
        check_size(item, f"maintenance window {window.id}")
        self._put_once("add_maintenance", item, f"maintenance window {window.id}")

    def list_maintenance(self, start: datetime, end: datetime) -> list[MaintenanceWindow]:
        """Windows that overlap [start, end): those starting before ``end`` (a sort-key
        range), then those of them ending after ``start``."""
        start_us, end_us = to_us(start), to_us(end)
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
                id=str_of(i, "id"),
                start=from_us(int_of(i, "start")),
                end=from_us(int_of(i, "end")),
                description=str_of(i, "description"),
            )
            for i in items
            if int_of(i, "end") > start_us
        ]

    def add_work_item(self, item: WorkItem) -> None:
        record: Item = {
            "pk": s_of(keys.WORK_ITEMS.partition(0)),
            "sk": s_of(log_sort_key(to_us(item.at), item.id)),
            "id": s_of(item.id),
            "at": n_of(to_us(item.at)),
            "kind": s_of(item.kind),
            "summary": s_of(item.summary),
        }
        check_size(record, f"work item {item.id}")
        self._put_once("add_work_item", record, f"work item {item.id}")

    def list_work_items(self, start: datetime, end: datetime) -> list[WorkItem]:
        return [
            WorkItem(
                id=str_of(i, "id"),
                at=from_us(int_of(i, "at")),
                kind=str_of(i, "kind"),
                summary=str_of(i, "summary"),
            )
            for i in self._list_log("list_work_items", keys.WORK_ITEMS, start, end)
        ]
