"""The store seam: protocols, records and the backends that implement them."""

from __future__ import annotations

from portfolio.config import Settings
from portfolio.errors import ConfigError
from portfolio.store.measured import measured
from portfolio.store.protocols import MetricsRepository, OpsLog, Store, UserRepository


def open_store(settings: Settings) -> Store:
    """Open the backend the settings name, behind the seam's timing-and-error wrapper."""
    return measured(_open_backend(settings))


def _open_backend(settings: Settings) -> Store:
    """The backend the settings name (registry of backends, one line each)."""
    backend = settings.store.backend
    if backend == "sqlite":
        from portfolio.store.sqlite import SQLiteStore

        return SQLiteStore(settings.store.sqlite_path)
    if backend == "dynamodb":
        try:
            from portfolio.store.dynamodb import DynamoDBStore
        except ImportError as err:
            raise ConfigError("the DynamoDB backend is not available in this build") from err
        store: Store = DynamoDBStore.from_settings(settings)
        return store
    raise ConfigError(f"unknown store backend {backend!r}")


__all__ = [
    "MetricsRepository",
    "OpsLog",
    "Store",
    "UserRepository",
    "dynamodb",
    "ids",
    "keys",
    "kinds",
    "measured",
    "open_store",
    "protocols",
    "records",
    "sqlite",
    "summaries",
    "transfer",
]
