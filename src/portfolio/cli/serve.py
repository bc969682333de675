"""`portfolio serve`: the API with N workers (standing for the N Fargate tasks) and a prober."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from portfolio.api.audit import record_api_key_set
from portfolio.cli.common import CreateOption, DbOption, console, existing_store, load_settings
from portfolio.config import Settings
from portfolio.names import HEALTH_PATH
from portfolio.store.protocols import Store
from portfolio.telemetry.logs import configure_logging
from portfolio.telemetry.prober import Prober
from portfolio.telemetry.spool import default_spool_dir

APP_FACTORY = "portfolio.api.app:create_app_from_env"
Server = Literal["uvicorn", "granian"]
Backend = Literal["sqlite", "dynamodb"]
STARTUP_GRACE_S = 60.0
"""How long the prober waits for the workers before a failed probe counts as an outage."""

log = logging.getLogger(__name__)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each is one 'task').")
    ] = 1,
    db: Annotated[Path | None, DbOption] = None,
    create: Annotated[bool, CreateOption] = False,
    store: Annotated[
        Backend | None, typer.Option(help="Store backend (default PORTFOLIO_STORE__BACKEND).")
    ] = None,
    endpoint_url: Annotated[
        str | None, typer.Option(help="DynamoDB endpoint, e.g. DynamoDB Local.")
    ] = None,
    probe: Annotated[bool, typer.Option(help="Probe /health on an interval.")] = True,
    server: Annotated[
        Server, typer.Option(help="ASGI server (uvicorn measured faster).")
    ] = "uvicorn",
) -> None:
    """Serve the REST API on the configured store, recording telemetry.

    SIGTERM stops the workers gracefully: each answers 503 "draining" on /health for
    PORTFOLIO_API__DRAIN_S seconds while it still serves, lets in-flight requests finish
    (PORTFOLIO_API__GRACEFUL_SHUTDOWN_S) and writes its remaining telemetry.
    """
    settings = load_settings(
        store__sqlite_path=db,
        store__backend=store,
        store__dynamodb_endpoint_url=endpoint_url,
    )
    # Also migrates the schema before the workers start; creates the store only if asked.
    # First, so that a refused store leaves this process's environment as it was.
    probe_store = existing_store(settings, create=create)
    # Workers are separate processes: they read the same settings from the environment.
    os.environ["PORTFOLIO_STORE__BACKEND"] = settings.store.backend
    os.environ["PORTFOLIO_STORE__SQLITE_PATH"] = str(settings.store.sqlite_path.resolve())
    if settings.store.dynamodb_endpoint_url:
        os.environ["PORTFOLIO_STORE__DYNAMODB_ENDPOINT_URL"] = settings.store.dynamodb_endpoint_url
    os.environ["PORTFOLIO_TELEMETRY__SPOOL_DIR"] = str(
        settings.telemetry.spool_dir or default_spool_dir(settings)
    )
    # JSON lines from the supervisor too: a worker's death and its replacement are logged.
    configure_logging(None)
    if record_api_key_set(probe_store, settings.parsed_api_keys(), now=datetime.now(UTC)):
        log.warning("the API-key set changed since the last start; recorded (権限変更)")
    prober = None
    if probe and settings.telemetry.enabled:
        probe_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        prober = Prober(
            probe_store,
            f"http://{probe_host}:{port}{HEALTH_PATH}",
            interval_s=settings.telemetry.probe_interval_s,
            timeout_s=settings.telemetry.probe_timeout_s,
        )
        prober.start(ready_timeout_s=STARTUP_GRACE_S)
    console.print(
        f"portfolio API on http://{host}:{port} — {workers} worker(s), "
        f"{settings.store.backend} store, server {server}",
        highlight=False,
    )
    site = _start_site_prober(probe_store, settings, host, port) if prober is not None else None
    try:
        _run_server(
            server,
            host=host,
            port=port,
            workers=workers,
            graceful_shutdown_s=settings.api.graceful_shutdown_s,
        )
    finally:
        if site is not None:
            site.stop()
        if prober is not None:
            prober.stop()
        probe_store.close()


def _start_site_prober(store: Store, settings: Settings, host: str, port: int) -> Prober | None:
    """Probe the static page too when the server serves one (静的サイト status)."""
    from portfolio.api.app import site_dir
    from portfolio.telemetry.prober import site_prober

    if site_dir(settings) is None:
        return None
    probe_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    prober = site_prober(
        store,
        f"http://{probe_host}:{port}/",
        interval_s=settings.telemetry.probe_interval_s,
        timeout_s=settings.telemetry.probe_timeout_s,
    )
    prober.start(ready_timeout_s=STARTUP_GRACE_S)  # its first probe waits for the workers too
    return prober


def _run_server(
    server: Server, *, host: str, port: int, workers: int, graceful_shutdown_s: int
) -> None:
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(
            APP_FACTORY,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
        ).serve()
        return
    import uvicorn

    uvicorn.run(
        APP_FACTORY,
        host=host,
        port=port,
        workers=workers,
        factory=True,
        access_log=False,  # our middleware writes one JSON line per request instead
        server_header=False,  # names no server software to a caller (and saves a header)
        log_config=None,
        timeout_graceful_shutdown=graceful_shutdown_s,
    )
