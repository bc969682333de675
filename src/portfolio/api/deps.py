"""FastAPI dependencies as Annotated aliases: the store, the runtime and the caller.

They are ``async def`` on purpose: they do no I/O, and FastAPI runs a plain
``def`` dependency on the thread pool — one thread hop per dependency per request.

Tests replace ``get_store`` through ``app.dependency_overrides``; nothing here
reads globals.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute

from portfolio.api.json_body import require_utf8_json
from portfolio.api.problems import ProblemError
from portfolio.api.runtime import Runtime
from portfolio.config import ApiKey, match_api_key
from portfolio.store.protocols import Store

_BEARER = {"WWW-Authenticate": 'Bearer realm="portfolio"'}


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_store(request: Request) -> Store:
    # Straight from the request rather than through get_runtime: each dependency in the
    # chain is solved per request, and the user routes are the hot path.
    store: Store = request.app.state.runtime.store
    return store


@dataclass(frozen=True, slots=True)
class Caller:
    key: ApiKey | None

    @property
    def authenticated(self) -> bool:
        return self.key is not None


async def get_caller(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    return identify(request.app.state.runtime, authorization)


def identify(runtime: Runtime, authorization: str | None) -> Caller:
    """The caller's key, if any; 401 for a malformed header or an unknown key."""
    if authorization is None:
        return Caller(key=None)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(401, "use the header 'Authorization: Bearer <api key>'", headers=_BEARER)
    key = match_api_key(runtime.settings.parsed_api_keys(), token.strip())
    if key is None:
        raise ProblemError(401, "the API key is not valid", headers=_BEARER)
    return Caller(key=key)


async def require_writer(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    return writer(caller)


def writer(caller: Caller) -> Caller:
    """The caller if its key may write; 401 without a key, 403 for a read-only one."""
    if caller.key is None:
        raise ProblemError(
            401, "this operation needs an API key: 'Authorization: Bearer <key>'", headers=_BEARER
        )
    if caller.key.read_only:
        raise ProblemError(403, "this API key is read-only")
    return caller


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AuthFirstRoute(APIRoute):
    """A route whose writes check the API key, then the body's encoding, before FastAPI
    reads and validates the body.

    FastAPI parses the body before it solves dependencies, so without this an
    anonymous caller sending malformed JSON would get 422 (and learn the body's
    rules) instead of 401.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not (self.methods or set()) & WRITE_METHODS:
            return handler

        async def authenticated_first(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            writer(identify(runtime, request.headers.get("authorization")))
            await require_utf8_json(request)
            token = runtime.gate.write_started()  # a write that waits long means not ready
            ok = False
            try:
                response = await handler(request)
                ok = True
                return response
            finally:
                runtime.gate.write_finished(token, ok=ok)

        return authenticated_first


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StoreDep = Annotated[Store, Depends(get_store)]
CallerDep = Annotated[Caller, Depends(get_caller)]
WriterDep = Annotated[Caller, Depends(require_writer)]
