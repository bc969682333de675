"""The DynamoDB store: every repository on the two tables of ``keys.py``.

It uses the low-level client (plain ``{"S": ...}`` attribute values, no resource
layer) so numbers are written exactly as we format them and no float has to be
turned into a ``Decimal``.

Retries are our own, not botocore's: the client is built with one attempt per
call (``total_max_attempts=1``) and :class:`RetryPolicy` retries throttling,
transient server errors, transaction conflicts and connection failures with
exponential backoff and full jitter. Why not ``retries={"mode": "standard"}``
or ``"adaptive"``: botocore's retries are invisible to us, and the report's
data-store section must count every throttled attempt; ``adaptive`` also rate-
limits on the client side per process, which with one client per worker only
adds queueing latency that the API's p99 would show and the table would not
need. One policy we own is counted, bounded, testable with botocore's Stubber
(which answers before botocore's retry loop would run) and gives up with a clear
:class:`StoreError` instead of a silent drop. Connection failures are retried
once and then become :class:`StoreUnavailableError`, so the API answers 503
quickly while the endpoint is down instead of after botocore's backoff.

Like botocore's own retries, a retried write whose first attempt did reach the
table is applied again; that matters only for the ``ADD`` of log counts (a
count can be too high after a timeout), never for users (conditional on the
version) or rollups (conditional on the revision).

Users keep a unique, case-insensitive email with a guard item per email,
written in the same transaction as the user; updates and deletes are
conditional on ``version``. Rollups and store statistics are merged by
read-modify-write conditional on a per-item revision ``rev``: a writer that
loses the race gets the winner's item back (``ReturnValuesOnConditionCheckFailure``)
and merges into it, so concurrent flushers never lose counts.

Telemetry items expire ``rollup_retention_days`` after their minute (TTL on
``expires_at``; DynamoDB Local deletes them too, so tests write recent times);
users and the operations log never expire.

The minute rollup and its hourly rollup are separate writes (a transaction per
flush would double the write cost of all telemetry); if a flush fails between
them, the hour is short by what that flush carried, and the error is raised.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import boto3
import orjson
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from portfolio import names
from portfolio.errors import (
    ConflictError,
    DuplicateEmailError,
    InputError,
    ItemTooLargeError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
    VersionMismatchError,
)
from portfolio.security_rules import BURST_STATUSES
from portfolio.store import keys
from portfolio.store.callstats import CallStats, _CallNote
from portfolio.store.ids import decode_cursor, encode_cursor, new_id
from portfolio.store.protocols import Resolution
from portfolio.store.records import (
    USER_FIELDS,
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    LogCount,
    MaintenanceWindow,
    MinuteTotals,
    NewUser,
    ProbeResult,
    ResourceSample,
    Role,
    Rollup,
    StoreCallStat,
    User,
    UserChanges,
    UsersPage,
    WorkItem,
)
from portfolio.telemetry.sketch import LatencySketch

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from portfolio.config import Settings

Item = dict[str, Any]
"""One DynamoDB item in the wire format: attribute name -> {"S" | "N" | "B" | ...: value}."""

R = TypeVar("R")

MAX_ITEM_BYTES = 400 * 1024
MAX_PARTITIONS_PER_READ = 1000
"""A range read Queries each bucket; beyond this many it is refused, not run for minutes."""

THROTTLE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
TRANSIENT_CODES = frozenset(
    {"InternalServerError", "ServiceUnavailable", "TransactionConflictException"}
)
_RETRYABLE_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)
_THROTTLE_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})
_CONDITION_FAILED = "ConditionalCheckFailedException"
_REASON_CONDITION_FAILED = "ConditionalCheckFailed"
_BATCH_GET_MAX = 100
_BATCH_WRITE_MAX = 25
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_USER_ID_CHARS = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter (sleep uniform in [0, min(cap, base * 2^n)]).

    Full jitter spreads retries of many clients throttled at once, which is the
    usual case (two workers flushing on the same tick); the cap bounds a request's
    extra latency: the defaults give up after about 2.5 s of sleeping at worst.
    ``sleep`` is injectable so tests run the policy without waiting.
    """

    max_attempts: int = 8
    base_s: float = 0.025
    cap_s: float = 1.0
    connect_attempts: int = 2
    max_conflicts: int = 32
    """Merges lost to another writer before giving up: each loss means that writer's
    counts landed, so many writers on one item need many rounds, each cheap."""
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not a secret


def make_client(endpoint_url: str | None, region: str) -> DynamoDBClient:
    """A DynamoDB client with botocore's retries off (see the module docstring).

    For a local endpoint without AWS credentials in the environment, fixed
    placeholder credentials are used: DynamoDB Local checks only their format,
    and looking for real ones would query the instance metadata service first.
    """
    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=2,
        read_timeout=10,
        max_pool_connections=64,  # FastAPI's thread pool runs up to 40 handlers at once
        tcp_keepalive=True,
    )
    placeholder = endpoint_url is not None and not os.environ.get("AWS_ACCESS_KEY_ID")
    # A session per store: boto3's default session is shared state across threads.
    session = boto3.session.Session()
    client: DynamoDBClient = session.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region,
        config=config,
        aws_access_key_id="local" if placeholder else None,
        aws_secret_access_key="local" if placeholder else None,
    )
    return client


# -- attribute values -------------------------------------------------------------


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int | float) -> dict[str, str]:
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"numbers must be finite to be stored, got {value}")
    return {"N": str(value) if isinstance(value, int) else repr(value)}


def _str(item: Mapping[str, Any], name: str) -> str:
    value: str = item[name]["S"]
    return value


def _int(item: Mapping[str, Any], name: str) -> int:
    return int(item[name]["N"])


def _float(item: Mapping[str, Any], name: str) -> float:
    return float(item[name]["N"])


def _bytes(item: Mapping[str, Any], name: str) -> bytes:
    return bytes(item[name]["B"])


def _us(value: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp would round)."""
    if value.tzinfo is None:
        raise InputError("times must carry a time zone")
    return (value - _EPOCH) // timedelta(microseconds=1)


def _time(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _opt_time(item: Mapping[str, Any], name: str) -> datetime | None:
    return _time(_int(item, name)) if name in item else None


def _attribute_size(value: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for one value (its documented rules, numbers rounded up)."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _attribute_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _attribute_size(v) for k, v in inner.items())
    if kind == "SS":
        return sum(len(v.encode()) for v in inner)
    raise ValueError(f"unsized attribute type {kind}")


def item_size(item: Mapping[str, Any]) -> int:
    """The size DynamoDB gives an item: attribute names plus values, in bytes."""
    return sum(len(name.encode()) + _attribute_size(value) for name, value in item.items())


def _check_size(item: Mapping[str, Any], what: str) -> None:
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ItemTooLargeError(
            f"{what} would take {size:,} bytes; a DynamoDB item holds at most"
            f" {MAX_ITEM_BYTES:,} bytes (400 KB): shorten its text fields"
        )


def _code(err: ClientError) -> str:
    code: str = err.response.get("Error", {}).get("Code", "")
    return code


def _reasons(err: ClientError) -> list[Mapping[str, Any]]:
    """The per-action outcomes of a cancelled transaction, in TransactItems order."""
    if _code(err) != "TransactionCanceledException":
        return []
    reasons: list[Mapping[str, Any]] = list(err.response.get("CancellationReasons", []))
    return reasons


def _error_item(err: ClientError) -> Mapping[str, Any] | None:
    """The stored item a failed condition returned (ReturnValuesOnConditionCheckFailure)."""
    item = err.response.get("Item")
    return item if isinstance(item, Mapping) else None


def _reason_code(reasons: Sequence[Mapping[str, Any]], index: int) -> str:
    if index >= len(reasons):
        return ""
    code: str = reasons[index].get("Code", "")
    return code


def _consumed(capacity: object) -> float:
    if isinstance(capacity, Mapping):
        return float(capacity.get("CapacityUnits", 0.0))
    if isinstance(capacity, list):
        return sum(_consumed(c) for c in capacity)
    return 0.0


def _chunks(items: Sequence[R], size: int) -> Iterator[Sequence[R]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _key_of(item: Mapping[str, Any]) -> tuple[str, str]:
    return (item["pk"]["S"], item["sk"]["S"])


# -- records <-> items ------------------------------------------------------------


def _user_item(user: User) -> Item:
    return {
        **keys.user_index_key(user.id),
        "id": _s(user.id),
        "name": _s(user.name),
        "email": _s(user.email),
        "role": _s(user.role.value),
        "title": _s(user.title),
        "bio": _s(user.bio),
        "links": {"L": [_s(link) for link in user.links]},
        "created_at": _n(_us(user.created_at)),
        "updated_at": _n(_us(user.updated_at)),
        "version": _n(user.version),
    }


def _user(item: Mapping[str, Any]) -> User:
    return User(
        id=_str(item, "id"),
        name=_str(item, "name"),
        email=_str(item, "email"),
        role=Role(_str(item, "role")),
        title=_str(item, "title"),
        bio=_str(item, "bio"),
        links=tuple(v["S"] for v in item["links"]["L"]),
        created_at=_time(_int(item, "created_at")),
        updated_at=_time(_int(item, "updated_at")),
        version=_int(item, "version"),
    )


def _user_value(name: str, value: object) -> dict[str, Any]:
    """One validated field of UserChanges as an attribute value."""
    if name == "links":
        if not isinstance(value, list | tuple):
            raise InputError("links must be a list of strings")
        return {"L": [_s(str(link)) for link in value]}
    if name == "role":
        return _s(Role(str(value)).value)
    return _s(str(value))


def _apply(user: User, changes: UserChanges, now: datetime) -> User:
    """The user as it is after ``changes``: what a conditional write of it will store."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        encoded = _user_value(name, value)
        if name == "links":
            values[name] = tuple(v["S"] for v in encoded["L"])
        elif name == "role":
            values[name] = Role(encoded["S"])
        else:
            values[name] = encoded["S"]
    return replace(user, **values, updated_at=now, version=user.version + 1)


def _series_key(series: keys.Series, at_s: int, time_value: int, rest: Sequence[object]) -> Item:
    """pk = the series bucket; sk = zero-padded time then the rest of the key as JSON.

    JSON keeps the rest unambiguous whatever characters an endpoint or task holds.
    """
    sort_key = f"{keys.time_sort_key(time_value)}#{orjson.dumps(list(rest)).decode()}"
    return {"pk": _s(series.partition(at_s)), "sk": _s(sort_key)}


def _rollup_attrs(r: Rollup) -> Item:
    return {
        "minute": _n(r.minute),
        "endpoint": _s(r.endpoint),
        "method": _s(r.method),
        "status": _n(r.status),
        "task": _s(r.task),
        "count": _n(r.count),
        "bytes_in": _n(r.bytes_in),
        "bytes_out": _n(r.bytes_out),
        "duration_sum_ms": _n(float(r.sketch.sum)),
        "sketch": {"B": r.sketch.to_bytes()},
    }


def _rollup(item: Mapping[str, Any]) -> Rollup:
    return Rollup(
        minute=_int(item, "minute"),
        endpoint=_str(item, "endpoint"),
        method=_str(item, "method"),
        status=_int(item, "status"),
        task=_str(item, "task"),
        count=_int(item, "count"),
        bytes_in=_int(item, "bytes_in"),
        bytes_out=_int(item, "bytes_out"),
        sketch=LatencySketch.from_bytes(_bytes(item, "sketch")),
    )


def _store_stat_attrs(s: StoreCallStat) -> Item:
    return {
        "minute": _n(s.minute),
        "task": _s(s.task),
        "backend": _s(s.backend),
        "operation": _s(s.operation),
        "count": _n(s.count),
        "errors": _n(s.errors),
        "throttles": _n(s.throttles),
        "latency_sum_ms": _n(float(s.latency_sum_ms)),
        "latency_max_ms": _n(float(s.latency_max_ms)),
        "capacity_units": _n(float(s.capacity_units)),
    }


def _store_stat(item: Mapping[str, Any]) -> StoreCallStat:
    return StoreCallStat(
        minute=_int(item, "minute"),
        task=_str(item, "task"),
        backend=_str(item, "backend"),
        operation=_str(item, "operation"),
        count=_int(item, "count"),
        errors=_int(item, "errors"),
        throttles=_int(item, "throttles"),
        latency_sum_ms=_float(item, "latency_sum_ms"),
        latency_max_ms=_float(item, "latency_max_ms"),
        capacity_units=_float(item, "capacity_units"),
    )


def _add_stats(a: StoreCallStat, b: StoreCallStat) -> StoreCallStat:
    return replace(
        a,
        count=a.count + b.count,
        errors=a.errors + b.errors,
        throttles=a.throttles + b.throttles,
        latency_sum_ms=a.latency_sum_ms + b.latency_sum_ms,
        latency_max_ms=max(a.latency_max_ms, b.latency_max_ms),
        capacity_units=a.capacity_units + b.capacity_units,
    )


def _merged_rollup(a: Rollup, b: Rollup) -> Rollup:
    merged = Rollup(*a.key)
    merged.merge(a)
    merged.merge(b)
    return merged


def _incident_item(i: Incident) -> Item:
    item: Item = {
        "pk": _s(keys.INCIDENTS.partition(0)),
        "sk": _s(i.id),
        "id": _s(i.id),
        "started_at": _n(_us(i.started_at)),
        "summary": _s(i.summary),
        "severity": _s(i.severity),
        "impact": _s(i.impact),
        "cause": _s(i.cause),
        "response": _s(i.response),
        "prevention": _s(i.prevention),
    }
    for name, value in (
        ("ended_at", i.ended_at),
        ("detected_at", i.detected_at),
        ("responded_at", i.responded_at),
    ):
        if value is not None:
            item[name] = _n(_us(value))
    return item


def _incident(item: Mapping[str, Any]) -> Incident:
    return Incident(
        id=_str(item, "id"),
        started_at=_time(_int(item, "started_at")),
        ended_at=_opt_time(item, "ended_at"),
        summary=_str(item, "summary"),
        severity=_str(item, "severity"),
        impact=_str(item, "impact"),
        cause=_str(item, "cause"),
        response=_str(item, "response"),
        prevention=_str(item, "prevention"),
        detected_at=_opt_time(item, "detected_at"),
        responded_at=_opt_time(item, "responded_at"),
    )


def _log_sort_key(us: int, record_id: str) -> str:
    return f"{keys.time_sort_key(us)}#{record_id}"


def _seconds(value: datetime) -> int:
    return math.floor(_us(value) / 1_000_000)


# -- the store --------------------------------------------------------------------


class DynamoDBStore:
    """Store on the ``portfolio-users`` and ``portfolio-metrics`` tables (or renamed ones)."""

    backend = "dynamodb"

    def __init__(
        self,
        client: DynamoDBClient,
        *,
        users_table: str = names.USERS_TABLE,
        metrics_table: str = names.METRICS_TABLE,
        retention_days: int = 400,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self.users_table = users_table
        self.metrics_table = metrics_table
        self.retention_s = retention_days * keys.DAY_S
        self.retry = retry or RetryPolicy()
        self.call_stats = CallStats(self.backend)
        self.endpoint = client.meta.endpoint_url

    @classmethod
    def from_settings(cls, settings: Settings) -> DynamoDBStore:
        store = settings.store
        return cls(
            make_client(store.dynamodb_endpoint_url, store.region),
            users_table=store.users_table,
            metrics_table=store.metrics_table,
            retention_days=settings.telemetry.rollup_retention_days,
        )

    # -- calls ---------------------------------------------------------------------

    def _call(self, note: _CallNote, request: Callable[..., Any], /, **params: Any) -> Any:
        """One DynamoDB call under the retry policy, its throttles and capacity noted.

        Errors the policy does not handle are re-raised as they are, for the
        caller to branch on (a failed condition) or to surface (a bug).
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                response = request(**params)
            except ClientError as err:
                code = _code(err)
                reasons = [str(r.get("Code", "")) for r in _reasons(err)]
                failed = {c for c in reasons if c not in ("", "None")}
                throttled = code in THROTTLE_CODES or bool(failed & _THROTTLE_REASONS)
                note.throttles += int(throttled)
                retryable = (
                    code in THROTTLE_CODES
                    or code in TRANSIENT_CODES
                    or (bool(failed) and failed <= _RETRYABLE_REASONS)
                )
                if code == "ResourceNotFoundException":
                    raise StoreUnavailableError(
                        f"DynamoDB at {self.endpoint}: a table of the store is missing"
                        f" ({self.users_table}, {self.metrics_table}); create them with"
                        " `portfolio store init` (DynamoDB Local) or the CDK app (AWS)"
                    ) from err
                if not retryable:
                    raise
                if attempt >= self.retry.max_attempts:
                    what = "throttled" if throttled else "failed"
                    raise StoreError(
                        f"DynamoDB {request.__name__} was {what} {attempt} times in a row"
                        f" ({code}{': ' + ', '.join(sorted(failed)) if failed else ''});"
                        " gave up: the request was not carried out, retry later"
                    ) from err
                self.retry.sleep(self.retry.delay(attempt))
                continue
            except (BotoConnectionError, HTTPClientError) as err:
                if attempt >= self.retry.connect_attempts:
                    raise StoreUnavailableError(
                        f"DynamoDB at {self.endpoint} cannot be reached: {err}"
                    ) from err
                self.retry.sleep(self.retry.delay(attempt))
                continue
            note.capacity_units += _consumed(response.get("ConsumedCapacity"))
            return response

    def _batch_get(
        self, note: _CallNote, table: str, item_keys: Sequence[Item]
    ) -> dict[tuple[str, str], Item]:
        """Strongly consistent reads of many keys; unprocessed keys are retried with backoff."""
        found: dict[tuple[str, str], Item] = {}
        for chunk in _chunks(item_keys, _BATCH_GET_MAX):
            request: dict[str, Any] = {table: {"Keys": list(chunk), "ConsistentRead": True}}
            self._drain_batch(
                note,
                self._client.batch_get_item,
                request,
                "UnprocessedKeys",
                on_response=lambda r: found.update(
                    (_key_of(i), i) for i in r.get("Responses", {}).get(table, [])
                ),
            )
        return found

    def _batch_put(self, note: _CallNote, table: str, items: Iterable[Item]) -> None:
        """Put many items (the last of equal keys wins); unprocessed ones are retried."""
        unique = list({_key_of(i): i for i in items}.values())
        for chunk in _chunks(unique, _BATCH_WRITE_MAX):
            request: dict[str, Any] = {table: [{"PutRequest": {"Item": i}} for i in chunk]}
            self._drain_batch(note, self._client.batch_write_item, request, "UnprocessedItems")

    def _drain_batch(
        self,
        note: _CallNote,
        call: Callable[..., Any],
        request: dict[str, Any],
        unprocessed: Literal["UnprocessedKeys", "UnprocessedItems"],
        on_response: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> None:
        """Send a batch until nothing is left unprocessed; a throttled remainder counts too."""
        attempt = 0
        while request:
            attempt += 1
            response = self._call(note, call, RequestItems=request, ReturnConsumedCapacity="TOTAL")
            if on_response is not None:
                on_response(response)
            request = response.get(unprocessed) or {}
            if not request:
                return
            note.throttles += 1
            if attempt >= self.retry.max_attempts:
                left = sum(
                    len(v["Keys"]) if isinstance(v, Mapping) else len(v) for v in request.values()
                )
                raise StoreError(
                    f"DynamoDB {call.__name__} left {left} item(s) unprocessed after"
                    f" {attempt} attempts (throttled); gave up: they were not carried out"
                )
            self.retry.sleep(self.retry.delay(attempt))

    def _query(
        self,
        note: _CallNote,
        table: str,
        partition: str,
        *,
        low: str | None = None,
        high: str | None = None,
        below: str | None = None,
        index: str | None = None,
        filter_endpoint: str | None = None,
        attributes: Sequence[str] = (),
    ) -> Iterator[Item]:
        """Every item of one partition, optionally within a sort-key range, page by page.

        ``attributes`` limits what comes back (it saves transfer, not read capacity).
        """
        names_: dict[str, str] = {"#pk": "gsi1pk" if index else "pk"}
        values: dict[str, Any] = {":pk": _s(partition)}
        condition = "#pk = :pk"
        if low is not None and high is not None:
            names_["#sk"] = "sk"
            values |= {":low": _s(low), ":high": _s(high)}
            condition += " AND #sk BETWEEN :low AND :high"
        elif below is not None:
            names_["#sk"] = "sk"
            values[":below"] = _s(below)
            condition += " AND #sk < :below"
        params: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names_,
            "ExpressionAttributeValues": values,
            "ReturnConsumedCapacity": "TOTAL",
        }
        if index is not None:
            params["IndexName"] = index
        else:
            params["ConsistentRead"] = True
        if filter_endpoint is not None:
            names_["#endpoint"] = "endpoint"
            values[":endpoint"] = _s(filter_endpoint)
            params["FilterExpression"] = "#endpoint = :endpoint"
        if attributes:
            names_ |= {f"#a{i}": name for i, name in enumerate(attributes)}
            params["ProjectionExpression"] = ", ".join(f"#a{i}" for i in range(len(attributes)))
        while True:
            response = self._call(note, self._client.query, **params)
            yield from response.get("Items", [])
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            params["ExclusiveStartKey"] = last

    def _query_series(
        self,
        note: _CallNote,
        series: keys.Series,
        start: int,
        end: int,
        *,
        scale: int = 1,
        filter_endpoint: str | None = None,
        attributes: Sequence[str] = (),
    ) -> Iterator[Item]:
        """Items of a time series with ``start <= time < end`` (times in seconds * scale)."""
        start = max(start, 0)
        if end <= start:
            return
        partitions = series.partitions(start // scale, -(-end // scale))
        if len(partitions) > MAX_PARTITIONS_PER_READ:
            raise InputError(
                f"the range spans {len(partitions)} partitions of {series.prefix};"
                f" read at most {MAX_PARTITIONS_PER_READ} at once (use hourly resolution)"
            )
        low, high = keys.time_sort_key(start), keys.time_sort_key(end)
        for partition in partitions:
            yield from self._query(
                note,
                self.metrics_table,
                partition,
                low=low,
                high=high,
                filter_endpoint=filter_endpoint,
                attributes=attributes,
            )

    def _merge(
        self,
        note: _CallNote,
        entries: Sequence[tuple[Item, R]],
        encode: Callable[[R], Item],
        decode: Callable[[Mapping[str, Any]], R],
        add: Callable[[R, R], R],
    ) -> None:
        """Merge records into the metrics items at their keys, never losing a concurrent write.

        Equal keys are combined first; one consistent BatchGetItem reads what is
        stored; each item is then put on condition that its revision is still the
        one read (or that it still does not exist). A writer that loses gets the
        winner's item in the error and merges into that.
        """
        combined: dict[tuple[str, str], tuple[Item, R]] = {}
        for key, record in entries:
            k = _key_of(key)
            previous = combined.get(k)
            combined[k] = (key, record if previous is None else add(previous[1], record))
        if not combined:
            return
        stored = self._batch_get(note, self.metrics_table, [key for key, _ in combined.values()])
        for k, (key, record) in combined.items():
            self._merge_one(note, key, record, stored.get(k), encode, decode, add)

    def _merge_one(
        self,
        note: _CallNote,
        key: Item,
        record: R,
        current: Mapping[str, Any] | None,
        encode: Callable[[R], Item],
        decode: Callable[[Mapping[str, Any]], R],
        add: Callable[[R, R], R],
    ) -> None:
        for attempt in range(1, self.retry.max_conflicts + 1):
            if current is None:
                item = {**key, **encode(record), "rev": _n(1)}
                condition: dict[str, Any] = {
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": "pk"},
                }
            else:
                revision = _int(current, "rev")
                item = {**key, **encode(add(decode(current), record)), "rev": _n(revision + 1)}
                condition = {
                    "ConditionExpression": "#rev = :rev",
                    "ExpressionAttributeNames": {"#rev": "rev"},
                    "ExpressionAttributeValues": {":rev": _n(revision)},
                }
            item["expires_at"] = _n(_int(item, "minute") + self.retention_s)
            try:
                self._call(
                    note,
                    self._client.put_item,
                    TableName=self.metrics_table,
                    Item=item,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    ReturnConsumedCapacity="TOTAL",
                    **condition,
                )
                return
            except ClientError as err:
                if _code(err) != _CONDITION_FAILED:
                    raise
                current = _error_item(err)  # the winner's item: merge into it
                if attempt > 1:
                    self.retry.sleep(self.retry.delay(min(attempt - 1, 6)))
        pk, sk = _key_of(key)
        raise StoreError(
            f"could not merge into {self.metrics_table} {pk} {sk}: another writer won"
            f" {self.retry.max_conflicts} times in a row; the counts were not stored"
        )

    # -- lifecycle -----------------------------------------------------------------

    def ping(self) -> None:
        """Read a key no item has from both tables in one call: they exist and answer."""
        with self.call_stats.timed("ping") as note:
            self._call(
                note,
                self._client.batch_get_item,
                RequestItems={
                    self.users_table: {"Keys": [keys.PING_KEY]},
                    self.metrics_table: {"Keys": [keys.PING_KEY]},
                },
                ReturnConsumedCapacity="TOTAL",
            )

    def close(self) -> None:
        self._client.close()

    def create_tables(self) -> list[tuple[str, bool]]:
        """Create the tables of ``keys.TABLES`` that are missing, on-demand; idempotent.

        Returns each table's name and whether it was created now. Used for DynamoDB
        Local (``portfolio store init``, the tests); on AWS the CDK app owns them.
        """
        table_names = {keys.USERS.name: self.users_table, keys.METRICS.name: self.metrics_table}
        results = []
        note = _CallNote()
        for schema in keys.TABLES:
            name = table_names[schema.name]
            created = self._create_table(note, schema, name)
            self._client.get_waiter("table_exists").wait(
                TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
            )
            if schema.ttl_attribute is not None:
                self._enable_ttl(note, name, schema.ttl_attribute)
            results.append((name, created))
        return results

    def _create_table(self, note: _CallNote, schema: keys.TableSchema, name: str) -> bool:
        attributes: dict[str, str] = {}

        def key_schema(pk: keys.KeyAttribute, sk: keys.KeyAttribute | None) -> list[dict[str, Any]]:
            parts: list[dict[str, Any]] = []
            for attr, kind in ((pk, "HASH"), (sk, "RANGE")):
                if attr is not None:
                    attributes[attr.name] = attr.type
                    parts.append({"AttributeName": attr.name, "KeyType": kind})
            return parts

        params: dict[str, Any] = {
            "TableName": name,
            "KeySchema": key_schema(schema.partition_key, schema.sort_key),
            "BillingMode": "PAY_PER_REQUEST",
        }
        if schema.global_indexes:
            params["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": key_schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in schema.global_indexes
            ]
        params["AttributeDefinitions"] = [
            {"AttributeName": n, "AttributeType": t} for n, t in attributes.items()
        ]
        try:
            self._call(note, self._client.create_table, **params)
        except ClientError as err:
            if _code(err) == "ResourceInUseException":
                return False
            raise
        return True

    def _enable_ttl(self, note: _CallNote, name: str, attribute: str) -> None:
        described = self._call(note, self._client.describe_time_to_live, TableName=name)
        status = described.get("TimeToLiveDescription", {}).get("TimeToLiveStatus")
        if status in ("ENABLED", "ENABLING"):
            return
        self._call(
            note,
            self._client.update_time_to_live,
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
        )

    def delete_tables(self) -> None:
        """Delete both tables (tests and local clean-up); missing ones are fine."""
        for name in (self.users_table, self.metrics_table):
            try:
                self._client.delete_table(TableName=name)
            except ClientError as err:
                if _code(err) != "ResourceNotFoundException":
                    raise

    # -- users ---------------------------------------------------------------------

    def create_user(self, new: NewUser) -> User:
        now = datetime.now(UTC)
        user = User(
            id=new_id(),
            name=new.name,
            email=new.email,
            role=new.role,
            title=new.title,
            bio=new.bio,
            links=tuple(new.links),
            created_at=now,
            updated_at=now,
            version=1,
        )
        item = _user_item(user)
        _check_size(item, f"user {new.email}")
        with self.call_stats.timed("create_user") as note:
            try:
                self._call(
                    note,
                    self._client.transact_write_items,
                    TransactItems=[
                        {"Put": self._put_new(self.users_table, item)},
                        {"Put": self._put_new(self.users_table, self._guard(new.email, user.id))},
                    ],
                    ReturnConsumedCapacity="TOTAL",
                )
            except ClientError as err:
                reasons = _reasons(err)
                if _reason_code(reasons, 1) == _REASON_CONDITION_FAILED:
                    raise DuplicateEmailError(f"a user with email {new.email} exists") from err
                if _reason_code(reasons, 0) == _REASON_CONDITION_FAILED:
                    raise ConflictError(f"user id {user.id} is already taken; retry") from err
                raise
        return user

    @staticmethod
    def _put_new(table: str, item: Item) -> dict[str, Any]:
        return {
            "TableName": table,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": "pk"},
        }

    @staticmethod
    def _guard(email: str, user_id: str) -> Item:
        return {**keys.email_key(email), "user_id": _s(user_id)}

    def _release_guard(self, email: str, user_id: str) -> dict[str, Any]:
        return {
            "TableName": self.users_table,
            "Key": keys.email_key(email),
            "ConditionExpression": "#user_id = :user_id",
            "ExpressionAttributeNames": {"#user_id": "user_id"},
            "ExpressionAttributeValues": {":user_id": _s(user_id)},
        }

    def _read_user(self, note: _CallNote, user_id: str) -> Item | None:
        response = self._call(
            note,
            self._client.get_item,
            TableName=self.users_table,
            Key=keys.user_key(user_id),
            ConsistentRead=True,
            ReturnConsumedCapacity="TOTAL",
        )
        item: Item | None = response.get("Item")
        return item

    def get_user(self, user_id: str) -> User:
        with self.call_stats.timed("get_user") as note:
            item = self._read_user(note, user_id)
        if item is None:
            raise NotFoundError(f"user {user_id} not found")
        return _user(item)

    def list_users(self, *, limit: int, cursor: str | None = None) -> UsersPage:
        """Users in id (= creation) order from the by-created index.

        The cursor names the last user returned, like the SQLite store's, and
        becomes the index's ExclusiveStartKey; one more item than asked for is
        read so the last page carries no cursor. The index is eventually
        consistent on AWS: a user created a moment ago may be missing for a moment.
        """
        if limit < 1:
            raise InputError("limit must be at least 1")
        start: Item | None = None
        if cursor is not None:
            after = decode_cursor(cursor).get("after")
            if not isinstance(after, str) or len(after) != 26 or set(after) - _USER_ID_CHARS:
                raise InputError("cursor is not one this API returned")
            start = keys.user_index_key(after)
        items: list[User] = []
        with self.call_stats.timed("list_users") as note:
            while len(items) <= limit:
                params: dict[str, Any] = {
                    "TableName": self.users_table,
                    "IndexName": keys.USERS_INDEX,
                    "KeyConditionExpression": "#pk = :pk",
                    "ExpressionAttributeNames": {"#pk": "gsi1pk"},
                    "ExpressionAttributeValues": {":pk": _s(keys.USERS_INDEX_PARTITION)},
                    "Limit": limit + 1 - len(items),
                    "ReturnConsumedCapacity": "TOTAL",
                }
                if start is not None:
                    params["ExclusiveStartKey"] = start
                response = self._call(note, self._client.query, **params)
                items += [_user(i) for i in response.get("Items", [])]
                start = response.get("LastEvaluatedKey")
                if not start:
                    break
        page = items[:limit]
        more = len(items) > limit
        next_cursor = encode_cursor({"after": page[-1].id}) if more and page else None
        return UsersPage(items=page, next_cursor=next_cursor)

    def update_user(self, user_id: str, changes: UserChanges, *, expected_version: int) -> User:
        unknown = set(changes) - set(USER_FIELDS)
        if unknown:
            raise InputError(f"unknown user fields: {', '.join(sorted(unknown))}")
        with self.call_stats.timed("update_user") as note:
            if "email" in changes:
                return self._update_with_email(note, user_id, changes, expected_version)
            return self._update_in_place(note, user_id, changes, expected_version)

    def _update_in_place(
        self, note: _CallNote, user_id: str, changes: UserChanges, expected: int
    ) -> User:
        """One conditional UpdateItem: the version check and the write are one step."""
        now = datetime.now(UTC)
        attr_names = {"#pk": "pk", "#version": "version", "#updated_at": "updated_at"}
        values: dict[str, Any] = {
            ":expected": _n(expected),
            ":next": _n(expected + 1),
            ":now": _n(_us(now)),
        }
        assignments = ["#updated_at = :now", "#version = :next"]
        for i, (name, value) in enumerate(changes.items()):
            attr_names[f"#f{i}"] = name
            values[f":v{i}"] = _user_value(name, value)
            assignments.append(f"#f{i} = :v{i}")
        _check_size({n: values[f":v{i}"] for i, n in enumerate(changes)}, f"user {user_id}")
        try:
            response = self._call(
                note,
                self._client.update_item,
                TableName=self.users_table,
                Key=keys.user_key(user_id),
                UpdateExpression="SET " + ", ".join(assignments),
                ConditionExpression="attribute_exists(#pk) AND #version = :expected",
                ExpressionAttributeNames=attr_names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ReturnConsumedCapacity="TOTAL",
            )
        except ClientError as err:
            if _code(err) == _CONDITION_FAILED:
                raise self._missing_or_stale(user_id, expected, _error_item(err)) from err
            if _code(err) == "ValidationException":
                # Rejected for its size? Only the whole item tells: measure it.
                current = self._read_user(note, user_id)
                if current is not None:
                    _check_size(_user_item(_apply(_user(current), changes, now)), f"user {user_id}")
            raise
        return _user(response["Attributes"])

    def _update_with_email(
        self, note: _CallNote, user_id: str, changes: UserChanges, expected: int
    ) -> User:
        """Read, then write the user and swap its email guard in one transaction.

        The read tells which guard to release; the write is still conditional on
        the version, so a writer that slipped in between makes this one fail.
        """
        item = self._read_user(note, user_id)
        if item is None or _int(item, "version") != expected:
            raise self._missing_or_stale(user_id, expected, item)
        current = _user(item)
        updated = _apply(current, changes, datetime.now(UTC))
        new_item = _user_item(updated)
        _check_size(new_item, f"user {user_id}")
        put = {
            "TableName": self.users_table,
            "Item": new_item,
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": _n(expected)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        same_guard = keys.email_key(updated.email) == keys.email_key(current.email)
        try:
            if same_guard:
                self._call(note, self._client.put_item, **put, ReturnConsumedCapacity="TOTAL")
            else:
                self._call(
                    note,
                    self._client.transact_write_items,
                    TransactItems=[
                        {"Put": put},
                        {"Delete": self._release_guard(current.email, user_id)},
                        {
                            "Put": self._put_new(
                                self.users_table, self._guard(updated.email, user_id)
                            )
                        },
                    ],
                    ReturnConsumedCapacity="TOTAL",
                )
        except ClientError as err:
            if _code(err) == _CONDITION_FAILED:
                raise self._missing_or_stale(user_id, expected, _error_item(err)) from err
            reasons = _reasons(err)
            if _reason_code(reasons, 0) == _REASON_CONDITION_FAILED:
                stored = reasons[0].get("Item")
                raise self._missing_or_stale(user_id, expected, stored) from err
            if _reason_code(reasons, 2) == _REASON_CONDITION_FAILED:
                raise DuplicateEmailError(f"a user with email {updated.email} exists") from err
            if _reason_code(reasons, 1) == _REASON_CONDITION_FAILED:
                raise StoreError(f"the email guard of user {user_id} is not held by it") from err
            raise
        return updated

    def delete_user(self, user_id: str, *, expected_version: int) -> None:
        with self.call_stats.timed("delete_user") as note:
            item = self._read_user(note, user_id)
            if item is None or _int(item, "version") != expected_version:
                raise self._missing_or_stale(user_id, expected_version, item)
            try:
                self._call(
                    note,
                    self._client.transact_write_items,
                    TransactItems=[
                        {
                            "Delete": {
                                "TableName": self.users_table,
                                "Key": keys.user_key(user_id),
                                "ConditionExpression": "#version = :expected",
                                "ExpressionAttributeNames": {"#version": "version"},
                                "ExpressionAttributeValues": {":expected": _n(expected_version)},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                            }
                        },
                        {"Delete": self._release_guard(_str(item, "email"), user_id)},
                    ],
                    ReturnConsumedCapacity="TOTAL",
                )
            except ClientError as err:
                reasons = _reasons(err)
                if _reason_code(reasons, 0) == _REASON_CONDITION_FAILED:
                    stored = reasons[0].get("Item")
                    raise self._missing_or_stale(user_id, expected_version, stored) from err
                if _reason_code(reasons, 1) == _REASON_CONDITION_FAILED:
                    raise StoreError(
                        f"the email guard of user {user_id} is not held by it"
                    ) from err
                raise

    @staticmethod
    def _missing_or_stale(
        user_id: str, expected: int, stored: Mapping[str, Any] | None
    ) -> NotFoundError | VersionMismatchError:
        if not stored:
            return NotFoundError(f"user {user_id} not found")
        current = _int(stored, "version")
        return VersionMismatchError(
            f"user {user_id} is at version {current}, not {expected}", current_version=current
        )

    # -- telemetry -----------------------------------------------------------------

    def _expiring(self, item: Item, at_s: int) -> Item:
        item["expires_at"] = _n(at_s + self.retention_s)
        return item

    def write_rollups(self, rollups: Sequence[Rollup]) -> None:
        if not rollups:
            return
        minute_entries: list[tuple[Item, Rollup]] = []
        hour_entries: list[tuple[Item, Rollup]] = []
        for r in rollups:
            rest = (r.endpoint, r.method, r.status, r.task)
            minute_entries.append((_series_key(keys.ROLLUPS_MINUTE, r.minute, r.minute, rest), r))
            hour = r.minute - r.minute % 3600
            hourly = Rollup(hour, r.endpoint, r.method, r.status, r.task)
            hourly.merge(r)
            hour_entries.append((_series_key(keys.ROLLUPS_HOUR, hour, hour, rest), hourly))
        with self.call_stats.timed("write_rollups") as note:
            # One merge for both: one BatchGetItem reads the minutes and their hours.
            self._merge(note, minute_entries + hour_entries, _rollup_attrs, _rollup, _merged_rollup)

    def read_rollups(
        self,
        start: int,
        end: int,
        *,
        endpoint: str | None = None,
        resolution: Resolution = "minute",
    ) -> Iterable[Rollup]:
        series = keys.ROLLUPS_MINUTE if resolution == "minute" else keys.ROLLUPS_HOUR
        with self.call_stats.timed("read_rollups") as note:
            return [
                _rollup(item)
                for item in self._query_series(note, series, start, end, filter_endpoint=endpoint)
            ]

    def read_minute_totals(self, start: int, end: int) -> list[MinuteTotals]:
        """Summed from the minute rollups, read without their sketches."""
        totals: dict[int, list[float]] = {}
        with self.call_stats.timed("read_minute_totals") as note:
            for item in self._query_series(
                note,
                keys.ROLLUPS_MINUTE,
                start,
                end,
                attributes=("minute", "status", "count", "duration_sum_ms"),
            ):
                acc = totals.setdefault(_int(item, "minute"), [0, 0, 0.0, 0])
                count, status = _int(item, "count"), _int(item, "status")
                acc[0] += count
                acc[1] += count if status >= 500 else 0
                acc[2] += _float(item, "duration_sum_ms")
                acc[3] += count if status in BURST_STATUSES else 0
        return [
            MinuteTotals(
                minute=m, count=int(c), errors_5xx=int(e), latency_sum_ms=lat, denied=int(d)
            )
            for m, (c, e, lat, d) in sorted(totals.items())
        ]

    def write_resource_samples(self, samples: Sequence[ResourceSample]) -> None:
        if not samples:
            return
        items = [
            self._expiring(
                {
                    **_series_key(keys.RESOURCE_SAMPLES, s.minute, s.minute, (s.task,)),
                    "minute": _n(s.minute),
                    "task": _s(s.task),
                    "cpu_pct": _n(float(s.cpu_pct)),
                    "mem_bytes": _n(s.mem_bytes),
                    "mem_pct": _n(float(s.mem_pct)),
                },
                s.minute,
            )
            for s in samples
        ]
        with self.call_stats.timed("write_resource_samples") as note:
            self._batch_put(note, self.metrics_table, items)

    def read_resource_samples(self, start: int, end: int) -> Iterable[ResourceSample]:
        with self.call_stats.timed("read_resource_samples") as note:
            return [
                ResourceSample(
                    minute=_int(i, "minute"),
                    task=_str(i, "task"),
                    cpu_pct=_float(i, "cpu_pct"),
                    mem_bytes=_int(i, "mem_bytes"),
                    mem_pct=_float(i, "mem_pct"),
                )
                for i in self._query_series(note, keys.RESOURCE_SAMPLES, start, end)
            ]

    def write_probe_results(self, results: Sequence[ProbeResult]) -> None:
        if not results:
            return
        items = []
        for r in results:
            at_us = _us(r.at)
            item: Item = {
                "pk": _s(keys.PROBE_RESULTS.partition(_seconds(r.at))),
                "sk": _s(_log_sort_key(at_us, new_id())),
                "at": _n(at_us),
                "ok": {"BOOL": r.ok},
                "detail": _s(r.detail),
            }
            if r.latency_ms is not None:
                item["latency_ms"] = _n(float(r.latency_ms))
            if r.status is not None:
                item["status"] = _n(r.status)
            items.append(self._expiring(item, _seconds(r.at)))
        with self.call_stats.timed("write_probe_results") as note:
            self._batch_put(note, self.metrics_table, items)

    def read_probe_results(self, start: datetime, end: datetime) -> Iterable[ProbeResult]:
        with self.call_stats.timed("read_probe_results") as note:
            items = list(
                self._query_series(note, keys.PROBE_RESULTS, _us(start), _us(end), scale=1_000_000)
            )
        return [
            ProbeResult(
                at=_time(_int(i, "at")),
                ok=bool(i["ok"]["BOOL"]),
                latency_ms=_float(i, "latency_ms") if "latency_ms" in i else None,
                status=_int(i, "status") if "status" in i else None,
                detail=_str(i, "detail"),
            )
            for i in items
        ]

    def write_log_counts(self, counts: Sequence[LogCount]) -> None:
        """Atomic ``ADD`` per (minute, task, level): concurrent writers simply add up."""
        totals: dict[tuple[int, str, str], int] = {}
        for c in counts:
            k = (c.minute, c.task, c.level)
            totals[k] = totals.get(k, 0) + c.count
        with self.call_stats.timed("write_log_counts") as note:
            for (minute, task, level), count in totals.items():
                self._call(
                    note,
                    self._client.update_item,
                    TableName=self.metrics_table,
                    Key=_series_key(keys.LOG_COUNTS, minute, minute, (task, level)),
                    UpdateExpression=(
                        "ADD #count :count SET #minute = :minute, #task = :task,"
                        " #level = :level, #expires_at = :expires_at"
                    ),
                    ExpressionAttributeNames={
                        "#count": "count",
                        "#minute": "minute",
                        "#task": "task",
                        "#level": "level",
                        "#expires_at": "expires_at",
                    },
                    ExpressionAttributeValues={
                        ":count": _n(count),
                        ":minute": _n(minute),
                        ":task": _s(task),
                        ":level": _s(level),
                        ":expires_at": _n(minute + self.retention_s),
                    },
                    ReturnConsumedCapacity="TOTAL",
                )

    def read_log_counts(self, start: int, end: int) -> Iterable[LogCount]:
        with self.call_stats.timed("read_log_counts") as note:
            return [
                LogCount(
                    minute=_int(i, "minute"),
                    task=_str(i, "task"),
                    level=_str(i, "level"),
                    count=_int(i, "count"),
                )
                for i in self._query_series(note, keys.LOG_COUNTS, start, end)
            ]

    def write_store_stats(self, stats: Sequence[StoreCallStat]) -> None:
        entries = [
            (
                _series_key(keys.STORE_STATS, s.minute, s.minute, (s.task, s.backend, s.operation)),
                s,
            )
            for s in stats
        ]
        with self.call_stats.timed("write_store_stats") as note:
            self._merge(note, entries, _store_stat_attrs, _store_stat, _add_stats)

    def read_store_stats(self, start: int, end: int) -> Iterable[StoreCallStat]:
        """The minutes in range, summed per hour (``minute`` = the hour's start)."""
        hours: dict[tuple[int, str, str, str], StoreCallStat] = {}
        with self.call_stats.timed("read_store_stats") as note:
            for item in self._query_series(note, keys.STORE_STATS, start, end):
                stat = _store_stat(item)
                stat = replace(stat, minute=stat.minute - stat.minute % 3600)
                k = (stat.minute, stat.task, stat.backend, stat.operation)
                previous = hours.get(k)
                hours[k] = stat if previous is None else _add_stats(previous, stat)
        return sorted(hours.values(), key=lambda s: s.minute)

    # -- operations log ------------------------------------------------------------

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
        item: Item = {
            "pk": _s(keys.CHECK_RUNS.partition(0)),
            "sk": _s(_log_sort_key(_us(run.started_at), run.id)),
            "id": _s(run.id),
            "kind": _s(run.kind),
            "target": _s(run.target),
            "started_at": _n(_us(run.started_at)),
            "finished_at": _n(_us(run.finished_at)),
            "findings": {
                "L": [
                    {
                        "M": {
                            "check_id": _s(f.check_id),
                            "status": _s(f.status.value),
                            "detail": _s(f.detail),
                        }
                    }
                    for f in run.findings
                ]
            },
        }
        _check_size(item, f"check run {run.id}")
        self._put_once("add_check_run", item, f"check run {run.id}")

    def list_check_runs(self, start: datetime, end: datetime) -> list[CheckRun]:
        return [
            CheckRun(
                id=_str(i, "id"),
                kind=_str(i, "kind"),
                target=_str(i, "target"),
                started_at=_time(_int(i, "started_at")),
                finished_at=_time(_int(i, "finished_at")),
                findings=tuple(
                    Finding(
                        f["M"]["check_id"]["S"],
                        FindingStatus(f["M"]["status"]["S"]),
                        f["M"]["detail"]["S"],
                    )
                    for f in i["findings"]["L"]
                ),
            )
            for i in self._list_log("list_check_runs", keys.CHECK_RUNS, start, end)
        ]

    def add_incident(self, incident: Incident) -> None:
        item = _incident_item(incident)
        _check_size(item, f"incident {incident.id}")
        self._put_once("add_incident", item, f"incident {incident.id}")

    def update_incident(self, incident: Incident) -> None:
        item = _incident_item(incident)
        _check_size(item, f"incident {incident.id}")
        with self.call_stats.timed("update_incident") as note:
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
        with self.call_stats.timed("get_incident") as note:
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
        with self.call_stats.timed("list_incidents") as note:
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
        with self.call_stats.timed("list_maintenance") as note:
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


__all__ = ["DynamoDBStore", "RetryPolicy", "item_size", "make_client"]
