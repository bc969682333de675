"""FastAPI dependencies as Annotated aliases: the store, the runtime and the caller.

They are ``async def`` on purpose: they do no I/O, and FastAPI runs a plain
``def`` dependency on the thread pool — one thread hop per dependency per request.

Tests replace ``get_store`` through ``app.dependency_overrides``; nothing here
reads globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from portfolio.api.problems import ProblemError
from portfolio.api.runtime import Runtime
from portfolio.config import ApiKey, match_api_key
from portfolio.store.protocols import Store

_BEARER = {"WWW-Authenticate": 'Bearer realm="portfolio"'}


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_store(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Store:
    return runtime.store


@dataclass(frozen=True, slots=True)
class Caller:
    key: ApiKey | None

    @property
    def authenticated(self) -> bool:
        return self.key is not None


async def get_caller(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
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
    if caller.key is None:
        raise ProblemError(
            401, "this operation needs an API key: 'Authorization: Bearer <key>'", headers=_BEARER
        )
    if caller.key.read_only:
        raise ProblemError(403, "this API key is read-only")
    return caller


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StoreDep = Annotated[Store, Depends(get_store)]
CallerDep = Annotated[Caller, Depends(get_caller)]
WriterDep = Annotated[Caller, Depends(require_writer)]
