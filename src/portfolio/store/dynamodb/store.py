"""The DynamoDB store: every repository on the two tables of ``keys.py``, in one object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.store.dynamodb.admin import DynamoAdmin
from portfolio.store.dynamodb.client import make_client
from portfolio.store.dynamodb.metrics import DynamoMetrics
from portfolio.store.dynamodb.opslog import DynamoOpsLog
from portfolio.store.dynamodb.transfer import DynamoTransfer
from portfolio.store.dynamodb.users import DynamoUsers

if TYPE_CHECKING:
    from portfolio.config import Settings


class DynamoDBStore(DynamoUsers, DynamoMetrics, DynamoOpsLog, DynamoTransfer, DynamoAdmin):
    """Store on the ``portfolio-users`` and ``portfolio-metrics`` tables (or renamed ones).

    Each base is one concern (its own module); they share the client, the tables
    and the retry policy of :class:`~portfolio.store.dynamodb.client.DynamoCalls`.
    """

    @classmethod
    def from_settings(cls, settings: Settings) -> DynamoDBStore:
        store = settings.store
        return cls(
            make_client(store.dynamodb_endpoint_url, store.region),
            users_table=store.users_table,
            metrics_table=store.metrics_table,
            retention_days=settings.telemetry.rollup_retention_days,
        )
