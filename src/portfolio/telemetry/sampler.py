"""Samples this worker's CPU and memory once a minute (the compute section's figures).

CPU is the share of one core this process used since the previous sample, the
figure ECS reports per task when a task has one vCPU; memory is resident size
and its share of the machine's (or the container's) memory.
"""

from __future__ import annotations

import threading
import time

import psutil

from portfolio.store.records import ResourceSample
from portfolio.telemetry.recorder import Recorder


class ResourceSampler:
    def __init__(self, recorder: Recorder, *, interval_s: float = 60.0) -> None:
        self.recorder = recorder
        self.interval_s = interval_s
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> ResourceSample:
        cpu = self._process.cpu_percent(interval=None)
        memory = self._process.memory_info().rss
        total = psutil.virtual_memory().total
        sample = ResourceSample(
            minute=int(time.time() // 60) * 60,
            task=self.recorder.task_id,
            cpu_pct=round(cpu, 2),
            mem_bytes=memory,
            mem_pct=round(100 * memory / total, 3),
        )
        self.recorder.record_sample(sample)
        return sample

    def start(self) -> None:
        self._process.cpu_percent(interval=None)  # first call primes the counter
        self._thread = threading.Thread(target=self._run, name="resource-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
