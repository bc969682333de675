"""What one API worker holds while it runs: settings, store, recorder, start time."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio

from portfolio.api.fresh_cache import FreshCache
from portfolio.config import Settings
from portfolio.errors import StoreError
from portfolio.store.protocols import Store
from portfolio.telemetry.recorder import Recorder

READINESS_TTL_S = 1.0
CACHE_ENTRIES = 256
"""Answers kept at most: callers choose the keys (a metrics range), so the cache is bounded."""
STORE_FAILURE_HOLD_S = 5.0
"""How long a failed store call keeps the worker "not ready".

A ping can pass while writes fail (a full disk still answers ``SELECT 1``), so a
failure seen by a request counts too; after this long the next ping decides again.
"""
T = TypeVar("T")


def default_task_id() -> str:
    """The host and process: one task per worker, a new id when a worker is replaced."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class Runtime:
    settings: Settings
    store: Store
    recorder: Recorder
    task_id: str
    started_monotonic: float = field(default_factory=time.monotonic)
    _ready_at: float = -1e9
    _ready: tuple[bool, str | None] = (False, "not checked yet")
    _cache: dict[object, tuple[float, object]] = field(default_factory=dict)
    _locks: dict[object, threading.Lock] = field(default_factory=dict)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock)
    _failed_at: float = -1e9
    _failure: str | None = None
    user_reads: FreshCache = field(init=False)
    """Answers of the user reads, kept while the store is unchanged."""

    def __post_init__(self) -> None:
        self.user_reads = FreshCache(self.store)

    def note_store_failure(self, err: StoreError) -> None:
        """A request saw the store fail: readiness reports it for ``STORE_FAILURE_HOLD_S``."""
        self._failed_at = time.monotonic()
        self._failure = str(err)

    def cached(self, key: object, ttl_s: float, compute: Callable[[], T]) -> T:
        """``compute()``, reused for ``ttl_s`` seconds per key (reads that many people poll).

        One caller computes a key at a time; the others wait for its answer instead of
        all reading the same rows at once (16 callers of one heavy window cost one read).
        """
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < ttl_s:
            return hit[1]  # type: ignore[return-value]
        with self._key_lock(key):
            now = time.monotonic()
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < ttl_s:
                return hit[1]  # type: ignore[return-value]
            return self._compute(key, ttl_s, compute, now)

    def _key_lock(self, key: object) -> threading.Lock:
        with self._locks_guard:
            if len(self._locks) > 4 * CACHE_ENTRIES:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            return self._locks.setdefault(key, threading.Lock())

    def _compute(self, key: object, ttl_s: float, compute: Callable[[], T], now: float) -> T:
        value = compute()
        if ttl_s > 0:
            self._cache.pop(key, None)
            while len(self._cache) >= CACHE_ENTRIES:
                del self._cache[next(iter(self._cache))]  # the oldest entry
            self._cache[key] = (now, value)
        return value

    @property
    def uptime_s(self) -> float:
        return time.monotonic() - self.started_monotonic

    async def readiness(self) -> tuple[bool, str | None]:
        """Whether the store answers, checked at most once a second.

        Health checks arrive from the load balancer, the prober and people; the
        cache keeps them from turning into a load on the store.
        """
        now = time.monotonic()
        if now - self._failed_at < STORE_FAILURE_HOLD_S:
            return False, self._failure
        if now - self._ready_at >= READINESS_TTL_S:
            self._ready = await anyio.to_thread.run_sync(self._ping)
            self._ready_at = time.monotonic()
        return self._ready

    def _ping(self) -> tuple[bool, str | None]:
        try:
            self.store.ping()
        except StoreError as err:
            return False, str(err)
        return True, None
