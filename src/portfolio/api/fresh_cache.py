"""Answers of the user reads, kept for as long as the store has not changed.

``GET /api/v1/users`` is read far more often than users change (the site lists them;
writes are an operator's). Reading 20 rows, decoding them and writing the JSON again
for every request cost four times what FastAPI itself costs per request. A store
that can say cheaply whether anything was committed since (SQLite: ``PRAGMA
data_version`` plus its own commits) gets its answers kept, keyed by what shapes
the bytes (the query, and whether the caller may see emails); the first read after
any commit, by this worker or any other process, finds the token changed, drops
everything and reads the store again. A store that cannot tell (DynamoDB: another
task may write at any moment) gets no cache: ``change_token`` is None.

Never stale: the token is read *before* the store, so an answer read across a
concurrent commit is kept under the older token and dropped on the next request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from portfolio.store.protocols import Store

T = TypeVar("T")

MAX_ENTRIES = 512
"""Callers choose the keys (cursors, limits), so the cache is bounded: oldest out first."""


class FreshCache:
    """Values per key, valid while ``store.change_token()`` is unchanged."""

    def __init__(self, store: Store, *, max_entries: int = MAX_ENTRIES) -> None:
        self._store = store
        self._max_entries = max_entries
        self._token: Hashable | None = None
        self._values: dict[Hashable, object] = {}

    async def get(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        """The value kept for ``key`` if the store is unchanged, else ``await read()``."""
        token = self._store.change_token()
        if token is None:
            return await read()
        if token != self._token:
            self._values.clear()
            self._token = token
        elif key in self._values:
            return self._values[key]  # type: ignore[return-value]
        value = await read()
        if token == self._token:  # a request that began later may have moved it on
            if len(self._values) >= self._max_entries:
                del self._values[next(iter(self._values))]
            self._values[key] = value
        return value

    def __len__(self) -> int:
        return len(self._values)
