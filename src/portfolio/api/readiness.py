"""Whether this worker should get traffic, decided on a path of its own.

The load balancer asks ``/health`` every few seconds. Its answer must not wait for
what it reports on: the store ping runs on one thread of its own (never in the pool
that blocked writes fill) and is given ``PING_TIMEOUT_S``; a ping that takes longer is
itself the answer ("store-timeout"). Three other things make a worker not ready:

- a write that has waited longer than ``WRITE_STALL_S`` (another process holds the
  SQLite write lock; DynamoDB throttles): a ping would still pass, as reads do;
- a write that timed out on a lock or failed on a full disk: not ready until a write
  succeeds again (a request's, or the telemetry recorder's own, at the latest when the
  next minute closes), since a ping passes while writes fail;
- draining after SIGTERM: in-flight requests finish while the balancer moves away.

Anonymous callers get the reason as one word; the store's own message, which can
name files and endpoints, goes to keyed callers and the log only.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from portfolio.errors import StoreError, StoreUnavailableError
from portfolio.store.protocols import Store

log = logging.getLogger(__name__)

READINESS_TTL_S = 1.0
"""How long a ping's answer is reused: health checks must not become a load on the store."""
PING_TIMEOUT_S = 2.0
WRITE_STALL_S = 5.0
STORE_FAILURE_HOLD_S = 5.0
"""How long any failed store call keeps the worker not ready; the next ping decides after."""
LATCHING = frozenset({"store-busy", "disk-full"})
"""Write failures a ping cannot see (reads pass): they last until a write succeeds.

An unreachable store needs no latch: the ping fails as long as it lasts.
"""


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    reason: str | None = None
    """One word for anyone: store-unreachable, disk-full, store-busy, store-timeout, draining."""
    detail: str | None = None
    """The store's own message: for keyed callers and the log."""


READY = Readiness(True)


def reason_of(err: StoreError) -> str:
    """The one word for a store failure: what an operator would look at first."""
    kind = getattr(err, "reason", None)
    if isinstance(kind, str):
        return kind
    return "store-unreachable" if isinstance(err, StoreUnavailableError) else "store-error"


class ReadinessGate:
    """One worker's readiness: pings on their own thread, write stalls and failures, drain."""

    def __init__(self, store: Store, *, wrote_at: Callable[[], float] = lambda: -1e9) -> None:
        self.store = store
        self._wrote_at = wrote_at  # the recorder's last successful write (monotonic)
        self._pinger = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readiness-ping")
        self._pending: asyncio.Future[Readiness] | None = None
        self._checked_at = -1e9
        self._last = Readiness(False, "starting")
        self._lock = threading.Lock()
        self._writes: dict[int, float] = {}
        self._next_write = 0
        self._failed_at = -1e9
        self._failure = READY
        self._write_failed_at: float | None = None
        self.draining = False

    # -- what requests report ------------------------------------------------------

    def write_started(self) -> int:
        with self._lock:
            self._next_write += 1
            self._writes[self._next_write] = time.monotonic()
            return self._next_write

    def write_finished(self, token: int, *, ok: bool) -> None:
        with self._lock:
            self._writes.pop(token, None)
            if ok:
                self._write_failed_at = None

    def store_failed(self, err: StoreError, *, write: bool) -> None:
        now = time.monotonic()
        self._failed_at = now
        self._failure = Readiness(False, reason_of(err), str(err))
        if write and self._failure.reason in LATCHING:
            self._write_failed_at = now

    # -- the answer ----------------------------------------------------------------

    async def check(self) -> Readiness:
        if self.draining:
            return Readiness(False, "draining", "the worker is shutting down")
        now = time.monotonic()
        if now - self._failed_at < STORE_FAILURE_HOLD_S:
            return self._failure
        stalled = self._stalled_for(now)
        if stalled > WRITE_STALL_S:
            return Readiness(False, "store-busy", f"a write has waited {stalled:.0f} s")
        if self._write_failed_at is not None:
            if self._wrote_at() > self._write_failed_at:
                self._write_failed_at = None
            else:
                return Readiness(False, self._failure.reason, self._failure.detail)
        if now - self._checked_at >= READINESS_TTL_S:
            self._last = await self._ping()
            self._checked_at = time.monotonic()
        return self._last

    def _stalled_for(self, now: float) -> float:
        with self._lock:
            oldest = min(self._writes.values(), default=now)
        return now - oldest

    async def _ping(self) -> Readiness:
        # One ping at a time: callers arriving while it runs share its answer.
        if self._pending is None or self._pending.done():
            self._pending = asyncio.wrap_future(self._pinger.submit(self._ping_now))
        try:
            return await asyncio.wait_for(asyncio.shield(self._pending), PING_TIMEOUT_S)
        except TimeoutError:
            return Readiness(False, "store-timeout", f"the ping took over {PING_TIMEOUT_S} s")

    def _ping_now(self) -> Readiness:
        try:
            self.store.ping()
        except StoreError as err:
            log.warning("readiness: the store ping failed: %s", err)
            return Readiness(False, reason_of(err), str(err))
        return READY

    def close(self) -> None:
        self._pinger.shutdown(wait=False, cancel_futures=True)
