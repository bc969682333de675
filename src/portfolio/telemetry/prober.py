"""Calls /health on a fixed interval and records each answer: the availability record.

It runs outside the workers (in the ``portfolio serve`` supervisor), the way an
ALB health check or an external uptime probe stands outside the tasks, so a
dead worker pool is recorded as down rather than not recorded at all. A second
prober (``site_prober``) fetches the static page the server also serves, the
local stand-in for the S3 + CloudFront site's 静的サイト status; its results are
stored apart (``target`` = PROBE_SITE) so they never count towards availability.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime

import httpx

from portfolio.errors import StoreError
from portfolio.store.protocols import MetricsRepository
from portfolio.store.records import PROBE_API, PROBE_SITE, ProbeResult

SHUTDOWN_GRACE_S = 5.0
"""How long a failed probe waits before it is recorded; a stop within it discards it."""


def probe_once(client: httpx.Client, url: str) -> ProbeResult:
    started = time.perf_counter()
    at = datetime.now(UTC)
    try:
        response = client.get(url)
    except httpx.HTTPError as err:
        return ProbeResult(at=at, ok=False, latency_ms=None, status=None, detail=type(err).__name__)
    latency_ms = (time.perf_counter() - started) * 1000
    ok = response.status_code == 200
    detail = "" if ok else response.text[:200]
    return ProbeResult(
        at=at, ok=ok, latency_ms=round(latency_ms, 3), status=response.status_code, detail=detail
    )


def wait_until_serving(
    client: httpx.Client, url: str, *, timeout_s: float, stop: threading.Event
) -> bool:
    """Poll ``url`` until it answers 200, recording nothing; False if it never did.

    A service that is still starting is not down: the first recorded probe waits
    for the workers to accept connections (with several workers they take seconds
    to import and open the store), so start-up never appears as an outage. After
    ``timeout_s`` probing starts anyway, and a service that never came up is
    recorded as down.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if client.get(url).status_code == 200:
                return True
        except httpx.HTTPError:
            pass  # not accepting connections yet
        if stop.wait(0.2):
            return False
    return False


class Prober:
    def __init__(
        self,
        store: MetricsRepository,
        url: str,
        *,
        interval_s: float = 60.0,
        timeout_s: float = 5.0,
        target: str = PROBE_API,
    ) -> None:
        self.store = store
        self.url = url
        self.target = target
        self.interval_s = interval_s
        self._client = httpx.Client(timeout=timeout_s)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: list[ProbeResult] = []

    def run_once(self) -> ProbeResult:
        return self._record(self._probe())

    def _probe(self) -> ProbeResult:
        return replace(probe_once(self._client, self.url), target=self.target)

    def _record(self, result: ProbeResult) -> ProbeResult:
        self._pending.append(result)
        try:
            self.store.write_probe_results(self._pending)
            self._pending = []
        except StoreError:
            pass  # kept in _pending and written with the next probe
        return result

    def start(self, *, initial_delay_s: float = 0.0, ready_timeout_s: float = 0.0) -> None:
        """Probe from a thread; with ``ready_timeout_s`` the first probe waits for readiness."""
        self._thread = threading.Thread(
            target=self._run, args=(initial_delay_s, ready_timeout_s), name="prober", daemon=True
        )
        self._thread.start()

    def _run(self, initial_delay_s: float, ready_timeout_s: float = 0.0) -> None:
        if self._stop.wait(initial_delay_s):
            return
        if ready_timeout_s > 0:
            wait_until_serving(self._client, self.url, timeout_s=ready_timeout_s, stop=self._stop)
            if self._stop.is_set():
                return
        while True:
            result = self._probe()
            # A failure is recorded once the prober is still running a moment later: the
            # failures of the server's own shutdown (workers gone, prober not yet stopped)
            # are not outages.
            if not result.ok and self._stop.wait(min(SHUTDOWN_GRACE_S, self.interval_s)):
                return
            self._record(result)
            if self._stop.wait(self.interval_s):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._client.close()


def site_prober(
    store: MetricsRepository, url: str, *, interval_s: float = 60.0, timeout_s: float = 5.0
) -> Prober:
    """A prober of the static site's page, recording under PROBE_SITE."""
    return Prober(store, url, interval_s=interval_s, timeout_s=timeout_s, target=PROBE_SITE)
