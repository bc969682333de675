"""The app factory: one FastAPI app per worker, wired to a store and a recorder."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from portfolio import __version__
from portfolio.api import problems
from portfolio.api.middleware import BodyLimitMiddleware, TelemetryMiddleware
from portfolio.api.routes import health, metrics, users
from portfolio.api.runtime import Runtime, default_task_id
from portfolio.config import Settings
from portfolio.store import open_store
from portfolio.store.protocols import Store
from portfolio.telemetry.logs import JsonLineWriter, configure_logging
from portfolio.telemetry.recorder import Recorder
from portfolio.telemetry.sampler import ResourceSampler

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    configure_logs: bool = True,
) -> FastAPI:
    """Build the API. ``store`` lets tests pass one in; otherwise the settings choose it."""
    settings = settings or Settings()
    task_id = settings.task_id or default_task_id()
    active_store = store if store is not None else open_store(settings)
    recorder = Recorder(
        active_store, task_id=task_id, flush_interval_s=settings.telemetry.flush_interval_s
    )
    access_log = JsonLineWriter() if settings.telemetry.access_log else None
    runtime = Runtime(settings=settings, store=active_store, recorder=recorder, task_id=task_id)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging(recorder)
        sampler = ResourceSampler(recorder, interval_s=settings.telemetry.sample_interval_s)
        if settings.telemetry.enabled:
            recorder.start()
            sampler.start()
        log.info("worker %s started on the %s store", task_id, active_store.backend)
        try:
            yield
        finally:
            sampler.stop()
            recorder.stop()  # writes what is left: a SIGTERM loses nothing recorded
            if access_log is not None:
                access_log.flush()
            if store is None:
                active_store.close()

    app = FastAPI(
        title="portfolio API",
        version=__version__,
        summary="REST API of the AWS Portfolio Infrastructure, with its own request metrics.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    problems.install(app)
    app.include_router(health.router)
    app.include_router(users.router)
    app.include_router(metrics.router)
    # Added last is outermost: telemetry wraps the body limit so refused bodies are counted.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api.max_body_bytes)
    if settings.telemetry.enabled:
        app.add_middleware(TelemetryMiddleware, recorder=recorder, access_log=access_log)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Location", "X-Request-Id"],
        )
    return app


def create_app_from_env() -> FastAPI:
    """Factory for the ASGI server's workers: settings come from PORTFOLIO_* variables."""
    return create_app(Settings())
