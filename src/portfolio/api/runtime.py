"""What one API worker holds while it runs: settings, store, recorder, start time."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from portfolio.api.fresh_cache import FreshCache
from portfolio.api.readiness import Readiness, ReadinessGate
from portfolio.config import Settings
from portfolio.errors import StoreError
from portfolio.store.protocols import Store
from portfolio.telemetry.recorder import Recorder

CACHE_ENTRIES = 256
"""Answers kept at most: callers choose the keys (a metrics range), so the cache is bounded."""
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
    _cache: dict[object, tuple[float, object]] = field(default_factory=dict)
    _locks: dict[object, threading.Lock] = field(default_factory=dict)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock)
    user_reads: FreshCache = field(init=False)
    """Answers of the user reads, kept while the store is unchanged."""
    gate: ReadinessGate = field(init=False)

    def __post_init__(self) -> None:
        self.user_reads = FreshCache(self.store)
        self.gate = ReadinessGate(self.store, wrote_at=lambda: self.recorder.wrote_at)

    def note_store_failure(self, err: StoreError, *, write: bool = False) -> None:
        """A request saw the store fail: readiness reports it (see ``api.readiness``)."""
        self.gate.store_failed(err, write=write)

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

    async def readiness(self) -> Readiness:
        """Whether this worker should get traffic, and why not (``api.readiness``)."""
        return await self.gate.check()
