"""/docs: Swagger UI served from this process, with no CDN and no inline script.

FastAPI's default page loads Swagger UI from a CDN without integrity hashes, so
whoever controls the CDN controls a page that holds API keys. The files come from
the ``swagger-ui-py`` package (Swagger UI 5, which renders OpenAPI 3.1) instead,
and the start-up script is a file of its own so the page's CSP needs no
``'unsafe-inline'`` for scripts. Only the package's files are used: it is found, not
imported (its ``__init__`` loads Jinja2 and PyYAML, ~0.3 s of every Lambda cold start).
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"


def _package_dir(name: str) -> Path:
    """A top-level package's folder, located without running its ``__init__``."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {name} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


ASSETS_DIR = _package_dir("swagger_ui") / "static"

DOCS_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
    b" img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none';"
    b" frame-ancestors 'none'"
)
"""Swagger UI sets element styles itself, hence ``'unsafe-inline'`` for styles only."""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} — API documentation</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" href="data:,">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{docs}/init.js"></script>
</body>
</html>
"""

_INIT = """window.ui = SwaggerUIBundle({{
  url: "{openapi}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
}});
"""


def install(app: FastAPI) -> None:
    """Serve the page, its start-up script and Swagger UI's files under /docs."""
    openapi_url = app.openapi_url or "/openapi.json"
    page = _PAGE.format(title=app.title, assets=ASSETS_PATH, docs=DOCS_PATH)
    init = _INIT.format(openapi=openapi_url)
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(page)

    @router.get(f"{DOCS_PATH}/init.js")
    async def docs_init() -> Response:
        return Response(init, media_type="text/javascript")

    app.include_router(router)
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
