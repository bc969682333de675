"""What every command shares: settings, the store, times, choices and quiet output.

Times: every time a command shows is in one zone, the report's
(``PORTFOLIO_REPORT__TIMEZONE``, default Asia/Tokyo), and says which; JSON output
carries ISO 8601 with the offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress, ProgressColumn

from portfolio.cli.suggest import unknown_choice
from portfolio.config import Settings
from portfolio.errors import ConfigError, InputError
from portfolio.store import open_store

if TYPE_CHECKING:
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


CreateOption = typer.Option(
    "--create", help="Create the store if it does not exist (as `portfolio store init` does)."
)


def missing_store(settings: Settings) -> Path | None:
    """The SQLite file the settings name, when it does not exist (None for DynamoDB)."""
    path = settings.store.sqlite_path
    if settings.store.backend != "sqlite" or path.exists():
        return None
    return path


def existing_store(settings: Settings, *, create: bool = False) -> Store:
    """The store the settings name; InputError (exit 2) when its SQLite file is missing.

    Only `store init`, `demo` and an explicit ``--create`` make a store: a mistyped
    ``--db`` in a crontab must fail loudly, not record into a new empty file.
    """
    missing = missing_store(settings)
    if missing is not None and not create:
        raise InputError(
            f"no store at {missing}: create it with `portfolio store init --db {missing}`"
            " (or pass --create), or point --db at an existing one"
        )
    return open_store(settings)


@contextmanager
def cli_store(db: Path | None, *, create: bool = False) -> Iterator[tuple[Settings, Store]]:
    """Settings and the existing store they name, closed when the command is done with it.

    The store package is imported here, not at the top: `logs summary`, `logs athena`
    and `--help` never open a store and need not import its modules.
    """
    settings = load_settings(store__sqlite_path=db)
    store = existing_store(settings, create=create)
    try:
        yield settings, store
    finally:
        store.close()


def choices(values: Iterable[str]) -> str:
    """The metavar that lists an option's allowed values in `--help`, as `<a|b|c>`."""
    return f"<{'|'.join(values)}>"


def check_choice(value: str, allowed: Iterable[str], name: str) -> None:
    """InputError (one line, exit 2) unless ``value`` is one of ``allowed``."""
    options = list(allowed)
    if value not in options:
        raise unknown_choice(name, value, options)


def required_text(value: str, option: str) -> str:
    """``value`` unless it is empty or blank: InputError (exit 2) naming ``option``."""
    if not value.strip():
        raise InputError(f"{option} must not be empty")
    return value


def show_time(value: datetime, zone: ZoneInfo) -> str:
    """A time as a person reads it: minutes, in the given zone, with the zone's name."""
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or zone.key}"


def transient_progress(*columns: str | ProgressColumn) -> Progress:
    """A progress bar that goes when done, drawn only on a terminal.

    On a pipe or in cron's mail rich draws nothing but ends the bar with an empty line,
    which stood before a command's one-line error.
    """
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def set_quiet(quiet: bool) -> None:
    """--quiet: no progress, tables or "wrote …" lines; JSON, errors and exit codes remain."""
    console.quiet = quiet


def parse_time(text: str, tz: str) -> datetime:
    """An ISO 8601 time; without an offset it is read in the report's time zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as err:
        raise InputError(f"not an ISO 8601 time: {text!r} (e.g. 2025-08-12T14:10+09:00)") from err
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value
