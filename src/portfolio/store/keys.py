"""The DynamoDB key schema of the two tables, defined once.

The DynamoDB store reads and writes by it; the CDK app (infra/) creates the
tables from it; `portfolio store init` creates them on DynamoDB Local from it.
A change here is a change to all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from portfolio import names
from portfolio.store import emails

AttributeType = Literal["S", "N", "B"]


@dataclass(frozen=True, slots=True)
class KeyAttribute:
    name: str
    type: AttributeType = "S"


@dataclass(frozen=True, slots=True)
class GlobalIndex:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None


@dataclass(frozen=True, slots=True)
class TableSchema:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None
    global_indexes: tuple[GlobalIndex, ...] = field(default_factory=tuple)
    ttl_attribute: str | None = None
    purpose: str = ""


USERS = TableSchema(
    name=names.USERS_TABLE,
    partition_key=KeyAttribute("pk"),
    sort_key=KeyAttribute("sk"),
    global_indexes=(GlobalIndex("by-created", KeyAttribute("gsi1pk"), KeyAttribute("gsi1sk")),),
    purpose="Users of the API (profile items and email-uniqueness guard items).",
)

METRICS = TableSchema(
    name=names.METRICS_TABLE,
    partition_key=KeyAttribute("pk"),
    sort_key=KeyAttribute("sk"),
    ttl_attribute="expires_at",
    purpose="Request rollups, resource samples, probes, log counts and the operations log.",
)

TABLES: tuple[TableSchema, ...] = (USERS, METRICS)


# -- item keys -----------------------------------------------------------------
#
# Every key the DynamoDB store reads or writes is made here, so the layout of
# the two tables can be read in one place:
#
#   portfolio-users    pk=USER#<id>      sk=PROFILE   the user (gsi1pk=USERS, gsi1sk=<id>)
#                      pk=EMAIL#<email>  sk=EMAIL     guard item: makes the email unique
#   portfolio-metrics  pk=<series>#<bucket start>  sk=<time, zero-padded>#<rest of key>
#                      pk=P?#<bucket start>  sk=<hour>#["<task or target>"]   kept sums
#
# Time-series items are spread over one partition per bucket (a day for minute
# data) so a range read is a few Queries on sort-key ranges and no partition
# grows without bound; the operations log is small, so each kind of it lives in
# one partition and any range is a single Query.

USERS_INDEX = USERS.global_indexes[0].name
USERS_INDEX_PARTITION = "USERS"
"""Every user shares one by-created partition: ids (ULIDs) sort by creation time."""

PROFILE_SORT_KEY = "PROFILE"
EMAIL_SORT_KEY = "EMAIL"
PING_KEY = {"pk": {"S": "PING"}, "sk": {"S": "PING"}}
"""A key no item has: reading it proves the table answers without reading data."""

TIME_DIGITS = 20
"""Width of zero-padded times in sort keys (epoch seconds or microseconds)."""


def user_key(user_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": PROFILE_SORT_KEY}}


def email_key(email: str) -> dict[str, dict[str, str]]:
    """The guard item of an email, normalised like the SQLite store's (store.emails)."""
    return {"pk": {"S": f"EMAIL#{emails.email_key(email)}"}, "sk": {"S": EMAIL_SORT_KEY}}


def user_index_key(user_id: str) -> dict[str, dict[str, str]]:
    """The by-created index position of a user: the ExclusiveStartKey after that user."""
    return {
        **user_key(user_id),
        "gsi1pk": {"S": USERS_INDEX_PARTITION},
        "gsi1sk": {"S": user_id},
    }


def time_sort_key(value: int) -> str:
    if value < 0:
        raise ValueError(f"times before 1970 cannot be stored, got {value}")
    return f"{value:0{TIME_DIGITS}d}"


@dataclass(frozen=True, slots=True)
class Series:
    """One kind of item in the metrics table, keyed by time.

    ``bucket_s`` is the width of one partition in seconds; 0 keeps the whole
    series in one partition (for the small operations log).
    """

    prefix: str
    bucket_s: int = 0

    def partition(self, at_s: int) -> str:
        if self.bucket_s == 0:
            return self.prefix
        return f"{self.prefix}#{at_s - at_s % self.bucket_s}"

    def partitions(self, start_s: int, end_s: int) -> list[str]:
        """The partitions that can hold times in [start_s, end_s), oldest first."""
        if self.bucket_s == 0:
            return [self.prefix]
        if end_s <= start_s:
            return []
        first = start_s - start_s % self.bucket_s
        return [self.partition(b) for b in range(first, end_s, self.bucket_s)]


DAY_S = 86_400
ROLLUPS_MINUTE = Series("RM", DAY_S)
ROLLUPS_HOUR = Series("RH", 30 * DAY_S)
RESOURCE_SAMPLES = Series("RS", DAY_S)
PROBE_RESULTS = Series("PR", DAY_S)
LOG_COUNTS = Series("LC", DAY_S)
STORE_STATS = Series("SS", DAY_S)
CHECK_RUNS = Series("CR")
INCIDENTS = Series("IN")
MAINTENANCE = Series("MW")
WORK_ITEMS = Series("WI")

# Kept sums (store/dynamodb/packs.py): one item per hour and task (or probe target),
# sort key = the hour then the owner, merged by every write of the records they sum;
# probes in partitions per target (PP#<target>#<bucket>), read one target at a time.
# A month is two partitions of each: the report reads them with a few Queries.
PACK_MINUTE_TOTALS = Series("PM", 30 * DAY_S)
PACK_HOURLY_ROLLUPS = Series("PH", 30 * DAY_S)
PACK_RESOURCE_SAMPLES = Series("PS", 30 * DAY_S)
PACK_PROBES = Series("PP", 30 * DAY_S)
PACK_LOG_COUNTS = Series("PL", 30 * DAY_S)
PACK_STORE_STATS = Series("PT", 30 * DAY_S)
