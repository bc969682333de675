"""The DynamoDB key schema of the two tables, defined once.

The DynamoDB store reads and writes by it; the CDK app (infra/) creates the
tables from it; `portfolio store init` creates them on DynamoDB Local from it.
A change here is a change to all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from portfolio import names

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
