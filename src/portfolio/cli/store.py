"""`portfolio store`: set up the data store, and export, import and copy its records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from portfolio.cli.common import (
    DbOption,
    console,
    existing_store,
    load_settings,
    missing_store,
    parse_time,
    transient_progress,
)
from portfolio.errors import ConfigError, InputError
from portfolio.store.kinds import Kind, TimeRange
from portfolio.store.transfer import (
    SPEC_HELP,
    Checkpoint,
    FileSink,
    FileSource,
    Outcome,
    StoreSink,
    StoreSource,
    open_spec,
    run,
    settings_spec,
)
from portfolio.store.transfer.pipeline import Sink, Source

store_app = typer.Typer(
    add_completion=False,
    help="Set up the data store; export, import and copy its records.",
    no_args_is_help=True,
)


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


SinceOption = Annotated[
    str | None,
    typer.Option(help="Only records from this time on (ISO 8601; users are always included)."),
]
UntilOption = Annotated[str | None, typer.Option(help="Only records before this time (ISO 8601).")]
CheckpointOption = Annotated[
    Path,
    typer.Option(help="Where an interrupted run keeps its progress; run again to resume."),
]
DEFAULT_CHECKPOINTS = Path(".portfolio") / "transfers"


def _span(since: str | None, until: str | None, tz: str) -> TimeRange:
    start = None if since is None else int(parse_time(since, tz).timestamp())
    end = None if until is None else int(parse_time(until, tz).timestamp())
    if start is not None and end is not None and end <= start:
        raise InputError(f"--until {until} is not after --since {since}")
    return TimeRange(start, end)


def _run(source: Source, sink: Sink, span: TimeRange, checkpoints: Path, verb: str) -> None:
    """The loop with a progress bar, then the count of each kind on both sides."""
    checkpoint = Checkpoint(checkpoints, source.name, sink.name, span)
    with transient_progress(
        TextColumn(f"{verb} {{task.description}}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(),
    ) as progress:  # fmt: skip
        task = progress.add_task(sink.name, total=None)
        outcome = run(
            source,
            sink,
            checkpoint,
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    _print_outcome(outcome, source.name, sink.name, verb)


def _print_outcome(outcome: Outcome, source: str, target: str, verb: str) -> None:
    table = Table(title=f"{source} → {target}", title_justify="left")
    for column in ("kind", "source", "target", ""):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind in Kind:
        have, got = outcome.source.get(kind, 0), outcome.target.get(kind, 0)
        if have or got:
            note = "ok" if got == have else f"+{got - have} already there"
            table.add_row(kind.value, f"{have:,}", f"{got:,}", note)
    console.print(table)
    rate = outcome.records / outcome.seconds if outcome.seconds else 0.0
    console.print(
        f"{verb} {outcome.records:,} records in {outcome.seconds:.1f} s ({rate:,.0f} records/s)"
        f"{', resumed from a checkpoint' if outcome.resumed else ''};"
        f" {outcome.retries} retried (throttled) writes,"
        f" {outcome.capacity_units:,.1f} write capacity units",
        highlight=False,
    )
    if outcome.expired:
        console.print(
            f"warning: {outcome.expired:,} telemetry records are older than the target's"
            " retention (PORTFOLIO_TELEMETRY__ROLLUP_RETENTION_DAYS): DynamoDB will expire them",
            style="yellow",
            highlight=False,
        )


@store_app.command()
def export(
    out: Annotated[Path, typer.Argument(help="The JSON Lines file to write.", dir_okay=False)],
    source: Annotated[
        str | None, typer.Option("--from", help=f"The store (default: the settings'): {SPEC_HELP}.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    checkpoints: CheckpointOption = DEFAULT_CHECKPOINTS,
) -> None:
    """Write every record of a store (users, telemetry, the operations log) to a file.

    One JSON record a line with its kind and schema version (docs/store-records.md);
    the file appears only when complete. `store import` reads it into any backend.
    """
    settings = load_settings()
    span = _span(since, until, settings.report.timezone)
    store, name = open_spec(source or settings_spec(settings), settings)
    try:
        sink = FileSink(out, name.partition(":")[0], span)
        _run(StoreSource(store, span, name), sink, span, checkpoints, "exported")
    finally:
        store.close()


@store_app.command(name="import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file `store export` wrote.", dir_okay=False)],
    target: Annotated[
        str | None, typer.Option("--to", help=f"The store (default: the settings'): {SPEC_HELP}.")
    ] = None,
    checkpoints: CheckpointOption = DEFAULT_CHECKPOINTS,
) -> None:
    """Read an export into a store; a record replaces the one with its key, so running it
    again changes nothing. The whole file is checked first: a bad line stops the import
    with its line number before anything is written."""
    if not file.exists():
        raise InputError(f"{file}: no such file")
    settings = load_settings()
    source = FileSource(file)
    store, name = open_spec(target or settings_spec(settings), settings, create=True)
    try:
        sink = StoreSink(store, source.span, name)
        _run(source, sink, source.span, checkpoints, "imported")
    finally:
        store.close()


@store_app.command()
def copy(
    source: Annotated[str, typer.Option("--from", help=f"The store to read: {SPEC_HELP}.")],
    target: Annotated[str, typer.Option("--to", help=f"The store to write: {SPEC_HELP}.")],
    since: SinceOption = None,
    until: UntilOption = None,
    checkpoints: CheckpointOption = DEFAULT_CHECKPOINTS,
) -> None:
    """Stream one store into another (SQLite file <-> DynamoDB, local endpoint or AWS).

    Resumable: run it again after an interruption. DynamoDB writes are paced to the
    table's write ceiling (the CDK app sets it); throttled retries are counted.
    """
    settings = load_settings()
    span = _span(since, until, settings.report.timezone)
    reader, reader_name = open_spec(source, settings)
    try:
        writer, writer_name = open_spec(target, settings, create=True)
        try:
            if writer_name == reader_name:
                raise InputError(f"--from and --to name the same store ({reader_name})")
            sink = StoreSink(writer, span, writer_name)
            _run(StoreSource(reader, span, reader_name), sink, span, checkpoints, "copied")
        finally:
            writer.close()
    finally:
        reader.close()


@store_app.command()
def sums(
    since: Annotated[str, typer.Option(help="The first hour to sum (ISO 8601).")],
    until: Annotated[str, typer.Option(help="Sum the hours before this time (ISO 8601).")],
    target: Annotated[
        str | None,
        typer.Option("--store", help=f"The store (default: the settings'): {SPEC_HELP}."),
    ] = None,
) -> None:
    """Sum a store's kept sums of a time range again from its records.

    The DynamoDB store's writers keep a pack of each hour's telemetry, which the report
    reads (docs/store-records.md); a table written by a version before the packs needs
    them summed once for the months its reports read. Running it again changes nothing.
    SQLite keeps its sums by trigger: nothing to do.
    """
    settings = load_settings()
    span = _span(since, until, settings.report.timezone)
    store, name = open_spec(target or settings_spec(settings), settings)
    try:
        hours = store.sum_again(span)
    finally:
        store.close()
    if hours:
        console.print(f"summed {hours:,} hours of {name} again", highlight=False)
    else:
        console.print(f"{name} keeps its sums in every write: nothing to do", highlight=False)
