"""`portfolio store`: set up the data store (the DynamoDB tables on DynamoDB Local)."""

from __future__ import annotations

from typing import Annotated

import typer

from portfolio.cli.common import console, load_settings
from portfolio.errors import ConfigError

store_app = typer.Typer(add_completion=False, help="Set up the data store.", no_args_is_help=True)


@store_app.command()
def init(
    endpoint_url: Annotated[
        str | None,
        typer.Option(help="DynamoDB endpoint, e.g. http://127.0.0.1:8000 for DynamoDB Local."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="AWS region of the client.")] = None,
) -> None:
    """Create the DynamoDB tables (users, metrics) on a local endpoint; existing ones are kept.

    On AWS the CDK app owns the tables, so an endpoint is required here. Table names
    come from the settings (PORTFOLIO_STORE__USERS_TABLE, ..._METRICS_TABLE).
    """
    from portfolio.store.dynamodb import DynamoDBStore

    settings = load_settings(
        store__backend="dynamodb",
        store__dynamodb_endpoint_url=endpoint_url,
        store__region=region,
    )
    if not settings.store.dynamodb_endpoint_url:
        raise ConfigError(
            "store init creates tables on a local endpoint: pass --endpoint-url"
            " (on AWS the CDK app creates them)"
        )
    store = DynamoDBStore.from_settings(settings)
    try:
        for name, created in store.create_tables():
            console.print(f"{'created' if created else 'exists '} {name}", highlight=False)
    finally:
        store.close()
