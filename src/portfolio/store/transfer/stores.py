"""The stores a transfer names on the command line: ``sqlite:PATH`` or ``dynamodb[:ENDPOINT]``.

``dynamodb`` alone is DynamoDB on AWS (region and table names from the settings,
credentials from the usual AWS chain); ``dynamodb:http://127.0.0.1:8000`` is a local
endpoint such as DynamoDB Local. Each store also gets a stable name, which keys the
checkpoint of a run between them.
"""

from __future__ import annotations

from pathlib import Path

from portfolio.config import Settings
from portfolio.errors import InputError
from portfolio.store import open_store
from portfolio.store.protocols import Store

SPEC_HELP = "sqlite:PATH, dynamodb (AWS) or dynamodb:ENDPOINT (e.g. dynamodb:http://127.0.0.1:8000)"


def settings_spec(settings: Settings) -> str:
    """The spec of the store the settings name (the default side of export and import)."""
    store = settings.store
    if store.backend == "sqlite":
        return f"sqlite:{store.sqlite_path}"
    return f"dynamodb:{store.dynamodb_endpoint_url}" if store.dynamodb_endpoint_url else "dynamodb"


def open_spec(spec: str, settings: Settings, *, create: bool = False) -> tuple[Store, str]:
    """The store ``spec`` names, opened, and its stable name; InputError for a bad spec.

    A SQLite file that is not there is refused unless ``create`` (the target of an
    import or copy): a source that is not there is a typo, not an empty store.
    """
    backend, _, where = spec.partition(":")
    if backend == "sqlite" and where:
        path = Path(where)
        if not create and not path.exists():
            raise InputError(f"{spec}: no such store")
        update = {"backend": "sqlite", "sqlite_path": path}
        name = f"sqlite:{path.resolve()}"
    elif backend == "dynamodb":
        update = {"backend": "dynamodb", "dynamodb_endpoint_url": where or None}
        s = settings.store
        name = f"dynamodb:{where or s.region}/{s.users_table},{s.metrics_table}"
    else:
        raise InputError(f"not a store: {spec!r} (give {SPEC_HELP})")
    chosen = settings.model_copy(update={"store": settings.store.model_copy(update=update)})
    return open_store(chosen), name
