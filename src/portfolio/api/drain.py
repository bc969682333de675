"""A graceful drain on SIGTERM: say "not ready" first, stop serving after.

The server (uvicorn) stops accepting connections the moment it gets SIGTERM, so the
load balancer's next health check is refused instead of answered, and requests
already on their way to this worker fail. Here SIGTERM first turns readiness to
503 ("draining") for ``drain_s`` seconds while the worker keeps serving, so the
balancer moves traffic away and in-flight requests finish; then the server's own
handler runs and its graceful shutdown (``api.graceful_shutdown_s``) begins.
A second SIGTERM, or SIGINT, stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from types import FrameType

from portfolio.api.readiness import ReadinessGate

log = logging.getLogger(__name__)


def install_drain(gate: ReadinessGate, drain_s: float) -> bool:
    """Wrap the server's SIGTERM handler with a drain; False where that cannot be done.

    Signal handlers belong to the main thread (a test client runs the app in
    another) and only a Python handler can be called later.
    """
    if drain_s <= 0 or threading.current_thread() is not threading.main_thread():
        return False
    original = signal.getsignal(signal.SIGTERM)
    if not callable(original):
        return False
    loop = asyncio.get_running_loop()

    def on_term(sig: int, frame: FrameType | None) -> None:
        if gate.draining:
            original(sig, frame)
            return
        gate.draining = True
        log.info("SIGTERM: readiness is 503 for %.1f s while in-flight requests finish", drain_s)
        loop.call_soon_threadsafe(loop.call_later, drain_s, original, sig, None)

    signal.signal(signal.SIGTERM, on_term)
    return True
