"""RFC 9457 problem details: every error the API returns, in one shape.

This is the only place where the exception tree of ``portfolio.errors`` becomes
HTTP status codes.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from portfolio import errors

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://portfolio.example/problems/"
RETRY_AFTER_S = "5"
"""Seconds a client should wait after a 503: the readiness hold of a store failure."""

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    428: "Precondition required",
    431: "Request header fields too large",
    500: "Internal server error",
    503: "Service unavailable",
}


class ProblemError(Exception):
    """Raised by routes and dependencies for an error that has no domain exception."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.headers = headers


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    title = TITLES.get(status, "Error")
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body",)]
    return ".".join(parts) or "body"


def _validation_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field; remove it"
    if kind == "missing":
        return "this field is required"
    if kind == "json_invalid":
        return "request body is not valid JSON"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


_DOMAIN_STATUS: list[tuple[type[errors.PortfolioError], int, str]] = [
    (errors.NotFoundError, 404, "not-found"),
    (errors.DuplicateEmailError, 409, "duplicate-email"),
    (errors.VersionMismatchError, 412, "version-mismatch"),
    (errors.ConflictError, 409, "conflict"),
    (errors.InputError, 422, "invalid-input"),
    (errors.ItemTooLargeError, 413, "item-too-large"),
    (errors.StoreUnavailableError, 503, "store-unavailable"),
    (errors.StoreError, 503, "store-error"),
]


STORE_DETAIL = {
    "store-unavailable": f"the store cannot be reached now; retry after {RETRY_AFTER_S} seconds",
    "store-error": f"the store failed the request; retry after {RETRY_AFTER_S} seconds",
}
"""What a 503 tells the caller: never the store's own message (paths, endpoint URLs)."""

HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route fully matches at this request's path (asks the router itself)."""
    allowed = []
    for method in HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")  # the edge answers HEAD as GET
    return allowed


def install(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into problem+json."""

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, RequestValidationError):
            raise exc
        problems = [
            {"field": _field_name(tuple(e.get("loc", ()))), "message": _validation_message(e)}
            for e in exc.errors()
        ]
        fields = ", ".join(p["field"] for p in problems)
        return problem(
            422,
            f"the request has invalid fields: {fields}",
            slug="validation",
            instance=request.url.path,
            errors=problems,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, StarletteHTTPException):
            raise exc
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route that matched the path; the answer must
            # list every method the path has (RFC 9110 §15.5.6).
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem(exc.status_code, detail, instance=request.url.path, headers=headers)

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, ProblemError):
            raise exc
        return problem(
            exc.status, exc.detail, slug=exc.slug, instance=request.url.path, headers=exc.headers
        )

    async def on_domain(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, errors.StoreError) and not isinstance(exc, errors.ItemTooLargeError):
            write = request.method in ("POST", "PUT", "PATCH", "DELETE")
            request.app.state.runtime.note_store_failure(exc, write=write)
        for kind, status, slug in _DOMAIN_STATUS:
            if isinstance(exc, kind):
                headers = {"Retry-After": RETRY_AFTER_S} if status == 503 else None
                detail = str(exc)
                if status >= 500:
                    # The store's message names files and endpoints: the log keeps it,
                    # the caller learns what happened and when to retry.
                    log.warning("store problem on %s: %s", request.url.path, exc)
                    detail = STORE_DETAIL.get(slug, STORE_DETAIL["store-error"])
                return problem(
                    status, detail, slug=slug, instance=request.url.path, headers=headers
                )
        log.error("unmapped error on %s", request.url.path, exc_info=exc)
        return problem(500, "an unexpected error occurred", instance=request.url.path)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return problem(500, "an unexpected error occurred", instance=request.url.path)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(errors.PortfolioError, on_domain)
    app.add_exception_handler(Exception, on_unexpected)
