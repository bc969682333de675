"""Calls to DynamoDB: the client, our retry policy, batches, queries and merges.

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

Rollups, log counts and store statistics are merged items: created by a put
conditional on their absence, else merged by a put conditional on a per-item
revision ``rev``; a writer that loses the race gets the winner's item back
(``ReturnValuesOnConditionCheckFailure``) and merges into it, so concurrent
flushers never lose counts, and each write's token in the item tells a retry
that its lost attempt already landed, so a retry never counts twice.

Errors nobody here expected (an unknown code, a botocore failure) are left to
the store seam, which turns them into StoreErrors (``register_translator`` below).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from portfolio import names
from portfolio.errors import (
    InputError,
    StoreError,
    StoreUnavailableError,
)
from portfolio.store import keys
from portfolio.store.callstats import CallNote, CallStats
from portfolio.store.dynamodb.codecs import Item, int_of, n_of, s_of
from portfolio.store.ids import new_id
from portfolio.store.measured import register_translator

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


R = TypeVar("R")

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
CONDITION_FAILED = "ConditionalCheckFailedException"
REASON_CONDITION_FAILED = "ConditionalCheckFailed"
_BATCH_GET_MAX = 100
_BATCH_WRITE_MAX = 25


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


# -- responses and errors ---------------------------------------------------------


def err_code(err: ClientError) -> str:
    code: str = err.response.get("Error", {}).get("Code", "")
    return code


def cancel_reasons(err: ClientError) -> list[Mapping[str, Any]]:
    """The per-action outcomes of a cancelled transaction, in TransactItems order."""
    if err_code(err) != "TransactionCanceledException":
        return []
    reasons: list[Mapping[str, Any]] = list(err.response.get("CancellationReasons", []))
    return reasons


def error_item(err: ClientError) -> Mapping[str, Any] | None:
    """The stored item a failed condition returned (ReturnValuesOnConditionCheckFailure)."""
    item = err.response.get("Item")
    return item if isinstance(item, Mapping) else None


def reason_code(reasons: Sequence[Mapping[str, Any]], index: int) -> str:
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


# -- the calls every repository makes ---------------------------------------------


class DynamoCalls:
    """The client, the tables and the retry policy, with the calls built on them.

    Each repository of the store (users, metrics, operations log, admin) is a
    subclass using these; :class:`~portfolio.store.dynamodb.store.DynamoDBStore`
    combines them.
    """

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

    def _call(self, note: CallNote, request: Callable[..., Any], /, **params: Any) -> Any:
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
                code = err_code(err)
                reasons = [str(r.get("Code", "")) for r in cancel_reasons(err)]
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

    def _batch_put(self, note: CallNote, table: str, items: Iterable[Item]) -> None:
        """Put many items (the last of equal keys wins); unprocessed ones are retried."""
        unique = list({_key_of(i): i for i in items}.values())
        for chunk in _chunks(unique, _BATCH_WRITE_MAX):
            request: dict[str, Any] = {table: [{"PutRequest": {"Item": i}} for i in chunk]}
            self._drain_batch(note, self._client.batch_write_item, request, "UnprocessedItems")

    def _drain_batch(
        self,
        note: CallNote,
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
        note: CallNote,
        table: str,
        partition: str,
        *,
        low: str | None = None,
        high: str | None = None,
        below: str | None = None,
        index: str | None = None,
        where: tuple[str, str] | None = None,
        attributes: Sequence[str] = (),
    ) -> Iterator[Item]:
        """Every item of one partition, optionally within a sort-key range, page by page.

        ``where`` (attribute, string) keeps only the items holding that value, and
        ``attributes`` limits what comes back: both are done by DynamoDB and save
        transfer and parsing, not read capacity (it bills the items the range holds).
        """
        names_: dict[str, str] = {"#pk": "gsi1pk" if index else "pk"}
        values: dict[str, Any] = {":pk": s_of(partition)}
        condition = "#pk = :pk"
        if low is not None and high is not None:
            names_["#sk"] = "sk"
            values |= {":low": s_of(low), ":high": s_of(high)}
            condition += " AND #sk BETWEEN :low AND :high"
        elif below is not None:
            names_["#sk"] = "sk"
            values[":below"] = s_of(below)
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
        if where is not None:
            names_["#where"] = where[0]
            values[":where"] = s_of(where[1])
            params["FilterExpression"] = "#where = :where"
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
        note: CallNote,
        series: keys.Series,
        start: int,
        end: int,
        *,
        scale: int = 1,
        where: tuple[str, str] | None = None,
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
                where=where,
                attributes=attributes,
            )

    def _merge(
        self,
        note: CallNote,
        entries: Sequence[tuple[Item, R]],
        encode: Callable[[R], Item],
        decode: Callable[[Mapping[str, Any]], R],
        add: Callable[[R, R], R],
        known: dict[tuple[str, str], Mapping[str, Any]] | None = None,
    ) -> None:
        """Merge records into the metrics items at their keys, never losing a concurrent write.

        Equal keys are combined first. Each item is then put on condition that it
        does not exist yet, the usual case now that telemetry writes each closed
        period once: one write, no read. If it exists, the stored item comes back
        in the error and the merge is put on condition that its revision is still
        the one read; a writer that loses gets the winner's item and merges again.

        ``known`` keeps the items this process last wrote, by key: an item written
        again and again (an hour's pack, every minute) is merged into the copy kept,
        on condition of its revision, in one write; a stale copy costs one more.
        """
        combined: dict[tuple[str, str], tuple[Item, R]] = {}
        for key, record in entries:
            k = _key_of(key)
            previous = combined.get(k)
            combined[k] = (key, record if previous is None else add(previous[1], record))
        token = new_id()
        for key, record in combined.values():
            self._merge_one(note, key, record, token, encode, decode, add, known)

    def _merge_one(
        self,
        note: CallNote,
        key: Item,
        record: R,
        token: str,
        encode: Callable[[R], Item],
        decode: Callable[[Mapping[str, Any]], R],
        add: Callable[[R, R], R],
        known: dict[tuple[str, str], Mapping[str, Any]] | None = None,
    ) -> None:
        """Create or merge one item; ``token`` names this write in the item's ``writes``.

        Why the token: a write whose response was lost (a timeout) is retried, and
        if its first attempt landed, the retry finds the item changed. Finding its
        own token among the item's last writers tells it the counts are already
        in, so a retry never adds them twice.
        """
        k = _key_of(key)
        current = None if known is None else known.get(k)
        for attempt in range(1, self.retry.max_conflicts + 1):
            if current is None:
                item = {**key, **encode(record), "rev": n_of(1), "writes": _tokens([], token)}
                condition: dict[str, Any] = {
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": "pk"},
                }
            else:
                revision = int_of(current, "rev")
                item = {
                    **key,
                    **encode(add(decode(current), record)),
                    "rev": n_of(revision + 1),
                    "writes": _tokens(_writers(current), token),
                }
                condition = {
                    "ConditionExpression": "#rev = :rev",
                    "ExpressionAttributeNames": {"#rev": "rev"},
                    "ExpressionAttributeValues": {":rev": n_of(revision)},
                }
            item["expires_at"] = n_of(int_of(item, "minute") + self.retention_s)
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
                if known is not None:
                    known[k] = item
                return
            except ClientError as err:
                if err_code(err) != CONDITION_FAILED:
                    raise
                current = error_item(err)  # the winner's item: merge into it
                if current is not None and token in _writers(current):
                    return  # an earlier attempt of this very write landed
                if attempt > 1:
                    self.retry.sleep(self.retry.delay(min(attempt - 1, 6)))
        pk, sk = k
        raise StoreError(
            f"could not merge into {self.metrics_table} {pk} {sk}: another writer won"
            f" {self.retry.max_conflicts} times in a row; the counts were not stored"
        )

    @staticmethod
    def _put_new(table: str, item: Item) -> dict[str, Any]:
        return {
            "TableName": table,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": "pk"},
        }

    def _expiring(self, item: Item, at_s: int) -> Item:
        item["expires_at"] = n_of(at_s + self.retention_s)
        return item


MAX_WRITERS_KEPT = 8
"""Tokens of an item's last writers kept for retries to recognise their own write.

A retry follows its lost attempt within seconds; eight other writers of one
telemetry item in between would take eight tasks flushing the same key at once.
"""


def _writers(item: Mapping[str, Any]) -> list[str]:
    return [v["S"] for v in item.get("writes", {}).get("L", [])]


def _tokens(previous: list[str], token: str) -> dict[str, Any]:
    return {"L": [s_of(t) for t in [*previous, token][-MAX_WRITERS_KEPT:]]}


# -- what the seam makes of botocore's errors -------------------------------------


def _client_error(err: ClientError, context: str) -> StoreError:
    """A code ``_call`` and the repositories did not expect: a server-side one (HTTP 5xx)
    may pass, a client-side one (4xx: validation, access denied) will not."""
    status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    kind = StoreUnavailableError if status >= 500 else StoreError
    return kind(
        f"{context}: DynamoDB answered {err_code(err) or 'an error'} (HTTP {status}): {err}"
    )


def _unreachable(err: Exception, context: str) -> StoreError:
    return StoreUnavailableError(f"{context}: DynamoDB cannot be reached: {err}")


def _botocore_failed(err: Exception, context: str) -> StoreError:
    return StoreError(f"{context}: {err}")


register_translator(ClientError, _client_error)
register_translator(BotoConnectionError, _unreachable)
register_translator(HTTPClientError, _unreachable)
register_translator(BotoCoreError, _botocore_failed)  # credentials, parameters, parsing
