"""What every command shares: settings, the store, times, and the error-to-exit-code rule."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.console import Console

from portfolio.config import Settings
from portfolio.errors import ConfigError, InputError
from portfolio.store import open_store
from portfolio.store.protocols import Store

console = Console()
err_console = Console(stderr=True)

DbOption = typer.Option(
    help="SQLite file of the embedded store"
    " (default: PORTFOLIO_STORE__SQLITE_PATH or ./portfolio.db).",
    dir_okay=False,
)

AwsEndpointOption = typer.Option(help="AWS endpoint override (local stand-ins such as moto).")


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line values on top; ConfigError if invalid."""
    try:
        base = Settings()
        if not overrides:
            return base
        data = base.model_dump()
        for dotted, value in overrides.items():
            if value is None:
                continue
            group, _, name = dotted.partition("__")
            if name:
                data[group][name] = value
            else:
                data[group] = value
        return Settings(**data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {where}: {message}") from err


def cli_store(db: Path | None) -> tuple[Settings, Store]:
    settings = load_settings(store__sqlite_path=db)
    return settings, open_store(settings)


def parse_time(text: str, tz: str) -> datetime:
    """An ISO 8601 time; without an offset it is read in the report's time zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as err:
        raise InputError(f"not an ISO 8601 time: {text!r} (e.g. 2025-08-12T14:10+09:00)") from err
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value
