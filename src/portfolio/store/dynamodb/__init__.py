"""The DynamoDB backend, one module per concern.

``client`` (calls, retries, batches, merges), ``codecs`` (records <-> items),
``users``, ``metrics`` (telemetry), ``opslog`` (operations log), ``admin``
(tables, ping) and ``store`` (the one object combining them). The names other
code imports are re-exported here.
"""

from __future__ import annotations

from portfolio.store.dynamodb.client import (
    MAX_PARTITIONS_PER_READ,
    THROTTLE_CODES,
    TRANSIENT_CODES,
    RetryPolicy,
    make_client,
)
from portfolio.store.dynamodb.codecs import MAX_ITEM_BYTES, Item, item_size
from portfolio.store.dynamodb.store import DynamoDBStore

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_PARTITIONS_PER_READ",
    "THROTTLE_CODES",
    "TRANSIENT_CODES",
    "DynamoDBStore",
    "Item",
    "RetryPolicy",
    "item_size",
    "make_client",
]
