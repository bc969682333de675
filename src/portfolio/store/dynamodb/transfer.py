"""Export and import on the DynamoDB store: both tables listed by kind, items put back as they are.

Listing is a Scan of the users table then of the metrics table, or, for a range with
both ends, a Query of each metrics partition the range touches; one page per call. The
cursor is the read's place in that fixed list and DynamoDB's ``LastEvaluatedKey``, so a
copy resumed from a checkpoint reads on from where it stopped. Each item's kind is its
partition key's prefix (store/keys.py); the users' email guard items are not records
(they follow from the users).

After putting, the kept sums (packed.py) of every hour the records fall in are summed
again from what that hour holds, so an import twice leaves the packs as once.

Putting replaces items (BatchWriteItem, 25 at a time), paced to the table's
``MaxWriteRequestUnits`` (read from DescribeTable: the ceiling the CDK app sets)
by a :class:`~portfolio.store.dynamodb.pacing.WriteBudget`; throttled and
unprocessed attempts are retried by the store's policy and counted. Users go one
transaction each, with their email guard, so a restore cannot give two users one
email. Merged items (rollups, log counts, call statistics) start again at revision
1 with no writer tokens: the copy is their first writer.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from portfolio.errors import DuplicateEmailError, InputError
from portfolio.store import keys
from portfolio.store.callstats import CallNote, current_note
from portfolio.store.dynamodb import lookalikes
from portfolio.store.dynamodb.client import (
    MAX_PARTITIONS_PER_READ,
    cancel_reasons,
    reason_code,
)
from portfolio.store.dynamodb.codecs import (
    Item,
    check_run,
    check_run_item,
    float_of,
    from_us,
    incident_item,
    incident_of,
    int_of,
    item_size,
    log_sort_key,
    n_of,
    probe_item,
    probe_result,
    rollup_attrs,
    rollups_of,
    s_of,
    series_key,
    store_stat_attrs,
    store_stat_of,
    str_of,
    to_us,
    user_item,
    user_of,
)
from portfolio.store.dynamodb.pacing import WriteBudget, write_units
from portfolio.store.dynamodb.packed import PACKED_KINDS, DynamoPacks
from portfolio.store.dynamodb.packs import HOUR_S, hour_of
from portfolio.store.emails import email_skeleton
from portfolio.store.kinds import Cursor, Entry, Kind, Page, PutResult, Record, TimeRange
from portfolio.store.records import (
    CheckRun,
    Incident,
    LogCount,
    MaintenanceWindow,
    ProbeResult,
    ResourceSample,
    Rollup,
    StoreCallStat,
    User,
    WorkItem,
)

_BATCH = 25
WRITERS = 4
"""Batches in flight at once while putting records."""
_METRICS_KINDS: dict[str, Kind] = {
    keys.ROLLUPS_MINUTE.prefix: Kind.ROLLUP_MINUTE,
    keys.ROLLUPS_HOUR.prefix: Kind.ROLLUP_HOUR,
    keys.RESOURCE_SAMPLES.prefix: Kind.RESOURCE_SAMPLE,
    keys.PROBE_RESULTS.prefix: Kind.PROBE_RESULT,
    keys.LOG_COUNTS.prefix: Kind.LOG_COUNT,
    keys.STORE_STATS.prefix: Kind.STORE_STAT,
    keys.CHECK_RUNS.prefix: Kind.CHECK_RUN,
    keys.INCIDENTS.prefix: Kind.INCIDENT,
    keys.MAINTENANCE.prefix: Kind.MAINTENANCE,
    keys.WORK_ITEMS.prefix: Kind.WORK_ITEM,
}
_TIME_ATTRIBUTE: dict[Kind, tuple[str, int]] = {
    Kind.ROLLUP_MINUTE: ("minute", 1),
    Kind.ROLLUP_HOUR: ("minute", 1),
    Kind.RESOURCE_SAMPLE: ("minute", 1),
    Kind.LOG_COUNT: ("minute", 1),
    Kind.STORE_STAT: ("minute", 1),
    Kind.PROBE_RESULT: ("at", 1_000_000),
    Kind.CHECK_RUN: ("started_at", 1_000_000),
    Kind.INCIDENT: ("started_at", 1_000_000),
    Kind.MAINTENANCE: ("start", 1_000_000),
    Kind.WORK_ITEM: ("at", 1_000_000),
}
"""The attribute holding a kind's time, and its units per second."""


_ROLLUP_KINDS = (Kind.ROLLUP_MINUTE, Kind.ROLLUP_HOUR)


def item_kind(item: Mapping[str, Any]) -> Kind | None:
    """The kind of an item by its partition key; None for items that are not records."""
    pk: str = item["pk"]["S"]
    if pk.startswith("USER#"):
        return Kind.USER
    return _METRICS_KINDS.get(pk.split("#", 1)[0])


def _item_seconds(kind: Kind, item: Mapping[str, Any]) -> float | None:
    if kind is Kind.USER:
        return None
    name, scale = _TIME_ATTRIBUTE[kind]
    return int_of(item, name) / scale


# -- items -> records -------------------------------------------------------------


_DECODERS: dict[Kind, Callable[[Mapping[str, Any]], Record]] = {
    Kind.USER: user_of,
    Kind.RESOURCE_SAMPLE: lambda i: ResourceSample(
        int_of(i, "minute"), str_of(i, "task"), float_of(i, "cpu_pct"), int_of(i, "mem_bytes"),
        float_of(i, "mem_pct"),
    ),
    Kind.PROBE_RESULT: probe_result,
    Kind.LOG_COUNT: lambda i: LogCount(
        int_of(i, "minute"), str_of(i, "task"), str_of(i, "level"), int_of(i, "count")
    ),
    Kind.STORE_STAT: store_stat_of,
    Kind.CHECK_RUN: check_run,
    Kind.INCIDENT: incident_of,
    Kind.MAINTENANCE: lambda i: MaintenanceWindow(
        str_of(i, "id"), from_us(int_of(i, "start")), from_us(int_of(i, "end")),
        str_of(i, "description"),
    ),
    Kind.WORK_ITEM: lambda i: WorkItem(
        str_of(i, "id"), from_us(int_of(i, "at")), str_of(i, "kind"), str_of(i, "summary")
    ),
}  # fmt: skip


def decode_items(items: Sequence[Mapping[str, Any]], span: TimeRange) -> list[Entry]:
    """The records of ``items`` in ``span``, in their order (rollup sketches decoded in bulk)."""
    chosen = [
        (kind, item)
        for item in items
        if (kind := item_kind(item)) is not None and span.holds(_item_seconds(kind, item))
    ]
    rollups = iter(rollups_of([i for k, i in chosen if k in _ROLLUP_KINDS]))
    return [
        (kind, next(rollups) if kind in _ROLLUP_KINDS else _DECODERS[kind](item))
        for kind, item in chosen
    ]


# -- records -> items -------------------------------------------------------------


def _merged_item(series: keys.Series, minute: int, rest: Sequence[object], attrs: Item) -> Item:
    """A merged item as its first writer leaves it: revision 1, no writer tokens kept."""
    return {
        **series_key(series, minute, minute, rest),
        **attrs,
        "rev": n_of(1),
        "writes": {"L": []},
    }


def _probe_item(p: ProbeResult) -> Item:
    """A probe's sort key is its time and an id made from its target, so putting the same
    probe again replaces it (the live prober's items carry a random id instead)."""
    return probe_item(p, hashlib.sha256(p.target.encode()).hexdigest()[:26])


def metrics_item(kind: Kind, record: Record) -> Item:
    """The metrics-table item of a record (no expiry yet: the store adds its retention)."""
    if isinstance(record, Rollup):
        series = keys.ROLLUPS_MINUTE if kind is Kind.ROLLUP_MINUTE else keys.ROLLUPS_HOUR
        key = (record.endpoint, record.method, record.status, record.task)
        return _merged_item(series, record.minute, key, rollup_attrs(record))
    if isinstance(record, ResourceSample):
        return {
            **series_key(keys.RESOURCE_SAMPLES, record.minute, record.minute, (record.task,)),
            "minute": n_of(record.minute), "task": s_of(record.task),
            "cpu_pct": n_of(float(record.cpu_pct)), "mem_bytes": n_of(record.mem_bytes),
            "mem_pct": n_of(float(record.mem_pct)),
        }  # fmt: skip
    if isinstance(record, ProbeResult):
        return _probe_item(record)
    if isinstance(record, LogCount):
        attrs = {"minute": n_of(record.minute), "task": s_of(record.task),
                 "level": s_of(record.level), "count": n_of(record.count)}  # fmt: skip
        return _merged_item(keys.LOG_COUNTS, record.minute, (record.task, record.level), attrs)
    if isinstance(record, StoreCallStat):
        rest = (record.task, record.backend, record.operation)
        return _merged_item(keys.STORE_STATS, record.minute, rest, store_stat_attrs(record))
    if isinstance(record, CheckRun):
        return check_run_item(record)
    if isinstance(record, Incident):
        return incident_item(record)
    if isinstance(record, MaintenanceWindow):
        return {
            "pk": s_of(keys.MAINTENANCE.partition(0)),
            "sk": s_of(log_sort_key(to_us(record.start), record.id)),
            "id": s_of(record.id), "start": n_of(to_us(record.start)),
            "end": n_of(to_us(record.end)),
            "description": s_of(record.description),
        }  # fmt: skip
    if isinstance(record, WorkItem):
        return {
            "pk": s_of(keys.WORK_ITEMS.partition(0)),
            "sk": s_of(log_sort_key(to_us(record.at), record.id)),
            "id": s_of(record.id), "at": n_of(to_us(record.at)), "kind": s_of(record.kind),
            "summary": s_of(record.summary),
        }  # fmt: skip
    raise TypeError(f"not a record of the metrics table: {kind}")


_RANGE_SERIES: tuple[tuple[keys.Series, int], ...] = (
    (keys.ROLLUPS_MINUTE, 1), (keys.ROLLUPS_HOUR, 1), (keys.RESOURCE_SAMPLES, 1),
    (keys.PROBE_RESULTS, 1_000_000), (keys.LOG_COUNTS, 1), (keys.STORE_STATS, 1),
    (keys.CHECK_RUNS, 1_000_000), (keys.INCIDENTS, 1_000_000), (keys.MAINTENANCE, 1_000_000),
    (keys.WORK_ITEMS, 1_000_000),
)  # fmt: skip
"""Each series of the metrics table and the scale of the times in its sort keys (an
incident's sort key is its id: its partition is read whole and filtered)."""


def _key_condition(table: str, partition: str, sort: tuple[str, str] | None) -> dict[str, Any]:
    names = {"#kpk": "pk"}
    values: dict[str, Any] = {":kpk": s_of(partition)}
    condition = "#kpk = :kpk"
    if sort is not None:
        names["#ksk"] = "sk"
        values |= {":klow": s_of(sort[0]), ":khigh": s_of(sort[1])}
        condition += " AND #ksk BETWEEN :klow AND :khigh"
    return {
        "TableName": table,
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


_EXPIRING = frozenset(
    {Kind.ROLLUP_MINUTE, Kind.ROLLUP_HOUR, Kind.RESOURCE_SAMPLE, Kind.PROBE_RESULT,
     Kind.LOG_COUNT, Kind.STORE_STAT}
)  # fmt: skip


class DynamoTransfer(DynamoPacks):
    """The TransferRepository methods of the DynamoDB store."""

    _budgets: dict[str, WriteBudget] | None = None

    def export_page(self, span: TimeRange, after: Cursor | None, *, limit: int = 1000) -> Page:
        segments = self._segments(span)
        index = 0 if after is None else int(str(after["segment"]))
        operation, params = segments[index]
        params = {**params, "Limit": limit}
        if after is not None and after.get("key"):
            params["ExclusiveStartKey"] = after["key"]
        response = self._call(current_note(), operation, **params)
        entries = decode_items(response.get("Items", []), span)
        last = response.get("LastEvaluatedKey")
        if last:
            return Page(entries, {"segment": index, "key": last})
        return Page(entries, {"segment": index + 1} if index + 1 < len(segments) else None)

    def count_records(self, span: TimeRange) -> dict[Kind, int]:
        """The same reads as the listing, of keys and times only (less to transfer;
        DynamoDB bills by the size of the items read, not of what it returns)."""
        counts: dict[Kind, int] = {}
        projection = {"#pk": "pk", "#minute": "minute", "#at": "at",
                      "#started": "started_at", "#start": "start"}  # fmt: skip
        for operation, segment in self._segments(span):
            params = {**segment, "Limit": 1000, "ProjectionExpression": ", ".join(projection)}
            params["ExpressionAttributeNames"] = {
                **segment.get("ExpressionAttributeNames", {}),
                **projection,
            }
            while True:
                response = self._call(current_note(), operation, **params)
                for item in response.get("Items", []):
                    kind = item_kind(item)
                    if kind is not None and span.holds(_item_seconds(kind, item)):
                        counts[kind] = counts.get(kind, 0) + 1
                if not response.get("LastEvaluatedKey"):
                    break
                params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return counts

    def _segments(self, span: TimeRange) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
        """The reads that list ``span``, in a fixed order: a Scan of each table, or, for a
        range with both ends, a Scan of the users and a Query of each partition the range
        touches (store/keys.py), which reads only the range's items."""
        scan: Callable[..., Any] = self._client.scan
        query: Callable[..., Any] = self._client.query
        base: dict[str, Any] = {"ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"}
        users: tuple[Callable[..., Any], dict[str, Any]] = (
            scan,
            {"TableName": self.users_table, **base},
        )
        whole = [users, (scan, {"TableName": self.metrics_table, **base})]
        if span.start is None or span.end is None or span.end <= span.start:
            return whole
        start, end = max(span.start, 0), max(span.end, 0)
        if len(keys.ROLLUPS_MINUTE.partitions(start, end)) > MAX_PARTITIONS_PER_READ:
            return whole  # years of daily partitions: one Scan reads less than their Queries
        segments = [users]
        for series, scale in _RANGE_SERIES:
            low, high = keys.time_sort_key(start * scale), keys.time_sort_key(end * scale)
            sort: tuple[str, str] | None = None if series is keys.INCIDENTS else (low, high)
            for partition in series.partitions(start, end):
                segments.append(
                    (query, {**base, **_key_condition(self.metrics_table, partition, sort)})
                )
        return segments

    def put_records(self, entries: Sequence[Entry]) -> PutResult:
        """Users one transaction each; the rest in batches of 25, ``WRITERS`` at a time
        (DynamoDB answers each batch in milliseconds over the network: one at a time
        would leave the table's ceiling unused), paced to the ceiling all together."""
        note = current_note()
        before = (note.throttles, note.capacity_units)
        items: list[Item] = []
        touched: set[tuple[Kind, int]] = set()
        now, expired = time.time(), 0
        for kind, record in entries:
            if isinstance(record, User):
                self._put_user(record)
                continue
            item = metrics_item(kind, record)
            seconds = _item_seconds(kind, item)
            if kind in PACKED_KINDS and seconds is not None:
                touched.add((kind, hour_of(int(seconds))))
            if kind in _EXPIRING and seconds is not None:
                self._expiring(item, int(seconds))
                expired += int(int_of(item, "expires_at") < now)
            items.append(item)
        chunks = [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]
        budget = self._budget(self.metrics_table)

        def send(chunk: list[Item]) -> CallNote:
            budget.spend(sum(write_units(item_size(i)) for i in chunk))
            own = CallNote()
            self._batch_put(own, self.metrics_table, chunk)
            return own

        with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="put") as pool:
            for own in pool.map(send, chunks):
                note.throttles += own.throttles
                note.capacity_units += own.capacity_units
            # the packs after every record is in: each hour summed from its records
            self._resum_paced(note, budget, sorted(touched), pool)
        return PutResult(note.throttles - before[0], note.capacity_units - before[1], expired)

    def sum_again(self, span: TimeRange) -> int:
        """Every packed kind's packs of each hour in ``span`` summed from its records,
        ``WRITERS`` hours at a time, paced to the table's ceiling like ``put_records``."""
        if span.start is None or span.end is None:
            raise InputError("summing again needs a range with both ends (--since, --until)")
        hours = list(range(hour_of(max(span.start, 0)), span.end, HOUR_S))
        touched = [(kind, hour) for hour in hours for kind in PACKED_KINDS]
        with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="sums") as pool:
            self._resum_paced(current_note(), self._budget(self.metrics_table), touched, pool)
        return len(hours)

    def _resum_paced(
        self,
        note: CallNote,
        budget: WriteBudget,
        touched: Sequence[tuple[Kind, int]],
        pool: ThreadPoolExecutor,
    ) -> None:
        """Sum the packs of ``touched`` (kind, hour) again, ``WRITERS`` shares at once, each
        write paced to ``budget``; the calls' throttles and units added to ``note``."""

        def pace(packed: Sequence[Item]) -> None:
            budget.spend(sum(write_units(item_size(i)) for i in packed))

        def resum(part: Sequence[tuple[Kind, int]]) -> CallNote:
            own = CallNote()
            self._resum(own, part, pace)
            return own

        for own in pool.map(resum, [touched[i::WRITERS] for i in range(WRITERS)]):
            note.throttles += own.throttles
            note.capacity_units += own.capacity_units

    def _put_user(self, user: User) -> None:
        """The user, its email guard and its look-alike (skeleton) guard in one
        transaction; each guard may be this user's already, never another's."""
        item = lookalikes.holding(user_item(user), user.email)
        self._budget(self.users_table).spend(3 * write_units(item_size(item)))
        guards = [
            {
                "TableName": self.users_table,
                "Item": {**key, "user_id": s_of(user.id)},
                "ConditionExpression": "attribute_not_exists(#pk) OR #user_id = :user_id",
                "ExpressionAttributeNames": {"#pk": "pk", "#user_id": "user_id"},
                "ExpressionAttributeValues": {":user_id": s_of(user.id)},
            }
            for key in (
                keys.email_key(user.email),
                lookalikes.skeleton_key(email_skeleton(user.email)),
            )
        ]
        try:
            self._call(
                current_note(),
                self._client.transact_write_items,
                TransactItems=[
                    {"Put": {"TableName": self.users_table, "Item": item}},
                    *({"Put": guard} for guard in guards),
                ],
                ReturnConsumedCapacity="TOTAL",
            )
        except ClientError as err:
            reasons = cancel_reasons(err)
            if "ConditionalCheckFailed" in (reason_code(reasons, 1), reason_code(reasons, 2)):
                raise DuplicateEmailError(
                    f"user {user.id}: another user of the store has the email {user.email}"
                ) from err
            raise

    def _budget(self, table: str) -> WriteBudget:
        """The table's write ceiling (DescribeTable's OnDemandThroughput), read once."""
        if self._budgets is None:
            self._budgets = {}
        if table not in self._budgets:
            described = self._call(current_note(), self._client.describe_table, TableName=table)
            cap = described["Table"].get("OnDemandThroughput", {}).get("MaxWriteRequestUnits")
            self._budgets[table] = WriteBudget(float(cap) if cap and cap > 0 else None)
        return self._budgets[table]

    def write_ceilings(self) -> dict[str, float | None]:
        """Each table's write ceiling in units a second (None: none set), as paced."""
        return {t: self._budget(t).units_per_s for t in (self.users_table, self.metrics_table)}
