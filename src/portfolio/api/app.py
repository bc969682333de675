"""The app factory: one FastAPI app per worker, wired to a store and a recorder."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from starlette.routing import Match, Mount
from starlette.types import Scope

from portfolio import __version__
from portfolio.api import docs, openapi, problems
from portfolio.api.drain import install_drain
from portfolio.api.middleware import EdgeMiddleware, RequestLimits
from portfolio.api.routes import health, livez, metrics, status, users
from portfolio.api.runtime import Runtime, default_task_id
from portfolio.config import Settings
from portfolio.names import HEALTH_PATH, SITE_ENDPOINT
from portfolio.store import open_store
from portfolio.store.measured import measured
from portfolio.store.protocols import Store
from portfolio.telemetry.logs import JsonLineWriter, configure_logging
from portfolio.telemetry.recorder import Recorder
from portfolio.telemetry.sampler import ResourceSampler
from portfolio.telemetry.spool import Spool

OPENTELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
"""FastAPI's native OpenTelemetry, off unless PORTFOLIO_TELEMETRY__OPENTELEMETRY says so."""

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
    # A store passed in (tests) goes behind the same seam as an opened one: timed, and its
    # library's errors translated into StoreError subclasses.
    active_store = measured(store) if store is not None else open_store(settings)
    spool_dir = settings.telemetry.spool_dir
    recorder = Recorder(
        active_store,
        task_id=task_id,
        flush_interval_s=settings.telemetry.flush_interval_s,
        spool=Spool(spool_dir, task_id) if spool_dir is not None else None,
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
        install_drain(runtime.gate, settings.api.drain_s)
        log.info("worker %s started on the %s store", task_id, active_store.backend)
        try:
            yield
        finally:
            sampler.stop()
            recorder.stop()  # writes what is left: a SIGTERM loses nothing recorded
            if access_log is not None:
                access_log.flush()
            runtime.gate.close()
            if store is None:
                active_store.close()

    app = FastAPI(
        title="portfolio API",
        version=__version__,
        summary="REST API of the AWS Portfolio Infrastructure, with its own request metrics.",
        lifespan=lifespan,
        docs_url=None,  # served by portfolio.api.docs without a CDN
        redoc_url=None,
        telemetry=None if settings.telemetry.opentelemetry else OPENTELEMETRY_OFF,
    )
    app.state.runtime = runtime
    problems.install(app)
    openapi.install(app)
    # Routes are tried in order on every request: the most frequent first (the load
    # balancer's /health, then the users reads), the pages people open now and then last.
    for router in (health.router, users.router, livez.router, metrics.router, status.router):
        add_routes(app, router)
    docs.install(app)
    site = site_dir(settings)
    if site is not None:
        # Mounted last: routes match in order, so the API and /health never reach it.
        app.router.routes.append(_SiteMount(site))
    _add_middleware(app, settings, recorder, access_log)
    return app


def _add_middleware(
    app: FastAPI, settings: Settings, recorder: Recorder, access_log: JsonLineWriter | None
) -> None:
    """The edge (limits, security headers, request ids, counting) and CORS, outermost last."""
    # Added last is outermost. Every request, refused or not, passes the edge, so refusals
    # are counted and every answer carries the security headers and request id; CORS sits
    # outside it: a browser's preflight is answered there and is no request of the API's.
    app.add_middleware(
        EdgeMiddleware,
        limits=RequestLimits(
            max_header_count=settings.api.max_header_count,
            max_header_bytes=settings.api.max_header_bytes,
            max_body_bytes=settings.api.max_body_bytes,
        ),
        csp_for=content_security_policy,
        recorder=recorder if settings.telemetry.enabled else None,
        access_log=access_log,
    )
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Location", "X-Request-Id"],
        )


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes joined to the app's own list, in order.

    ``include_router`` keeps a router as a branch that FastAPI matches, and whose routes
    it re-checks for changes, on every request: on ``/health`` that cost more than the
    handler. A route made by an ``APIRouter`` already carries the router's prefix, tags,
    dependencies and route class, so it can stand in the app's list unchanged.
    """
    app.router.routes.extend(router.routes)


API_CSP = b"default-src 'none'; frame-ancestors 'none'"
"""JSON answers are never rendered as pages: nothing may load, nobody may frame them."""
SITE_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    b" connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self';"
    b" frame-ancestors 'none'"
)
"""web/ loads its own scripts and styles only (no inline code, no third parties)."""


def content_security_policy(path: str) -> bytes:
    """The CSP of the page family at ``path``: /docs, the API, or the static site."""
    if path == docs.DOCS_PATH or path.startswith(docs.DOCS_PATH + "/"):
        return docs.DOCS_CSP
    if path.startswith(API_PREFIX) or path in (HEALTH_PATH, "/openapi.json"):
        return API_CSP
    return SITE_CSP


REPO_WEB_DIR = Path(__file__).resolve().parents[3] / "web"
"""web/ of a source checkout; absent from the API's container image, which serves no pages."""


def site_dir(settings: Settings) -> Path | None:
    """The static site to serve at /, if any: the setting, else the checkout's web/."""
    if settings.api.site_dir is not None:
        return settings.api.site_dir
    return REPO_WEB_DIR if (REPO_WEB_DIR / "index.html").is_file() else None


API_PREFIX = "/api/"


class _SiteRoute:
    path = SITE_ENDPOINT


class _SiteMount(Mount):
    """The static site at /, matching only files that exist.

    Anything else (an unknown API path, a scanner's probe) stays the API's own 404
    and ``(unmatched)`` or ``(scanner)`` in telemetry; pages served are counted as ``(site)``.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        super().__init__("/", app=StaticFiles(directory=directory, html=True), name="site")

    def _exists(self, path: str) -> bool:
        """Whether ``path`` names a file of the site; a path no file can have is no file.

        A NUL byte (``ValueError``) or a segment longer than the file system allows
        (``OSError``: ENAMETOOLONG) comes from a caller, not from a fault of ours: the
        request becomes the API's 404 and one log line, never a 500 and a traceback.
        """
        if path.startswith(API_PREFIX):
            return False
        try:
            target = (self.directory / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            return target.is_relative_to(self.directory) and target.is_file()
        except (ValueError, OSError) as err:
            reason = err.strerror if isinstance(err, OSError) else str(err)
            log.info("static site: no file can be named %.80r (%s)", path, reason)
            return False

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") != "http" or not self._exists(scope.get("path", "")):
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match is Match.FULL:
            child["route"] = _SiteRoute()
        return match, child


def create_app_from_env() -> FastAPI:
    """Factory for the ASGI server's workers: settings come from PORTFOLIO_* variables."""
    return create_app(Settings())
