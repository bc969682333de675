"""`portfolio store`: set up the data store (a SQLite file, or DynamoDB Local's tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from portfolio.cli.common import DbOption, console, existing_store, load_settings, missing_store
from portfolio.errors import ConfigError

store_app = typer.Typer(add_completion=False, help="Set up the data store.", no_args_is_help=True)


@store_app.command()
def init(
    db: Annotated[Path | None, DbOption] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(help="DynamoDB endpoint, e.g. http://127.0.0.1:8000 for DynamoDB Local."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="AWS region of the client.")] = None,
) -> None:
    """Create the store: the SQLite file (--db), or the DynamoDB tables on --endpoint-url.

    Every other command refuses a store that does not exist, so a mistyped path fails
    instead of filling a new file; this is where a store begins. An existing store is
    kept as it is. On AWS the CDK app owns the tables; table names come from the
    settings (PORTFOLIO_STORE__USERS_TABLE, ..._METRICS_TABLE).
    """
    if endpoint_url is None and region is None:
        settings = load_settings(store__sqlite_path=db)
        if settings.store.backend == "sqlite":
            created = missing_store(settings) is not None
            existing_store(settings, create=True).close()
            state = "created" if created else "exists "
            console.print(f"{state} {settings.store.sqlite_path}", highlight=False)
            return
    from portfolio.store.dynamodb import DynamoDBStore

    settings = load_settings(
        store__backend="dynamodb",
        store__dynamodb_endpoint_url=endpoint_url,
        store__region=region,
    )
    if not settings.store.dynamodb_endpoint_url:
        raise ConfigError(
            "store init creates DynamoDB tables on a local endpoint: pass --endpoint-url"
            " (on AWS the CDK app creates them)"
        )
    store = DynamoDBStore.from_settings(settings)
    try:
        for name, created in store.create_tables():
            console.print(f"{'created' if created else 'exists '} {name}", highlight=False)
    finally:
        store.close()
