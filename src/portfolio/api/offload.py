"""Where a user route runs its store call: on the event loop, or in the thread pool.

A read of the local SQLite file (WAL: readers never wait for a writer) costs tens of
microseconds of CPU. Handing it to the thread pool costs more than that, and under
load much more: the worker threads and the event loop pass the GIL back and forth,
which is what made p99 of ``GET /users`` ten times bare FastAPI's. So reads of a
local backend run inline. Everything that can wait — a network store (DynamoDB),
any write (SQLite's write lock waits up to its busy timeout) — goes to the pool,
in one trip per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from portfolio.store.protocols import Store

P = ParamSpec("P")
T = TypeVar("T")

INLINE_READ_BACKENDS: frozenset[str] = frozenset({"sqlite"})
"""Backends whose reads are local file reads that never wait on a lock or the network."""


async def read(store: Store, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)``, a read of ``store``: inline when the backend is local."""
    if store.backend in INLINE_READ_BACKENDS:
        return call(*args, **kwargs)
    return await run_in_threadpool(call, *args, **kwargs)


async def write(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)`` in the thread pool: writes may wait for a lock or the network."""
    return await run_in_threadpool(call, *args, **kwargs)
