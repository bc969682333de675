"""The OpenAPI document made exact: what FastAPI cannot infer from the routes.

- Every error answer is ``application/problem+json`` (RFC 9457) with one schema,
  not FastAPI's ``application/json`` validation error.
- Every operation documents the refusals any request may get before it reaches
  the route (431 headers, 503 store) and those of its parameters (422).
- Write operations declare the bearer scheme they require.
- Headers parsed by hand (``If-Match``) get their required flag and grammar.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from portfolio.api.preconditions import IF_MATCH_PATTERN, MAX_IF_MATCH
from portfolio.api.problems import PROBLEM_MEDIA_TYPE, TITLES
from portfolio.api.schemas import Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
BEARER = "bearer"

EVERY_OPERATION: dict[str, str] = {
    "431": "Too many or too large request headers.",
}
WITH_PARAMETERS: dict[str, str] = {
    "422": "A parameter or the body is invalid; `errors` names each field.",
}
STORE_BACKED: dict[str, str] = {
    "503": "The store failed or is unreachable; retry after `Retry-After` seconds.",
}
WITH_BODY: dict[str, str] = {
    "400": "The body cannot be read as JSON (not UTF-8, or broken framing).",
    "413": "Body too large.",
    "415": "The body is not JSON.",
}

HEADER_PARAMETERS: dict[str, dict[str, Any]] = {
    "if-match": {
        "required": True,
        "description": "The ETag of the version being changed (from GET), `*`, or a list of"
        " ETags. Missing: 428; malformed: 400; no match (strong comparison): 412.",
        "schema": {"type": "string", "pattern": IF_MATCH_PATTERN, "maxLength": MAX_IF_MATCH},
    },
}

UNAUTHENTICATED_PATHS = frozenset({"/health"})


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the exact document, built once."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            exact(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def exact(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from PORTFOLIO_API_KEYS.",
    }
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            _exact_operation(path, operation)


def _exact_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    extra = dict(EVERY_OPERATION)
    if operation.get("parameters") or "requestBody" in operation:
        extra |= WITH_PARAMETERS
    if "requestBody" in operation:
        extra |= WITH_BODY
    if path not in UNAUTHENTICATED_PATHS:
        extra |= STORE_BACKED
    for status, description in extra.items():
        responses.setdefault(status, {"description": description})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400 and not _has_own_schema(response):
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
            if response.get("description") in (None, "", "Validation Error"):
                response["description"] = TITLES.get(int(status), "Error")
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header":
            parameter.update(HEADER_PARAMETERS.get(parameter["name"].lower(), {}))


def _has_own_schema(response: dict[str, Any]) -> bool:
    """A documented model other than FastAPI's validation error (/health's 503 body)."""
    content = response.get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    return bool(ref) and not ref.endswith("/HTTPValidationError")
