"""Run wrk against a URL on loopback and read requests/s, p50, p99 and errors from its output."""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p99_ms: float
    errors: int
    p50_ms: float = 0.0
    requests: int = 0
    server_cpu_us: float = float("nan")
    """CPU time the server (all its processes) spent per request; set by the caller."""

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in asdict(self).items()}


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 1,
    headers: dict[str, str] | None = None,
    timeout_s: int = 2,
) -> WrkResult:
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    options = [f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s"]
    out = subprocess.run(
        ["wrk", *options, "--latency", *extra, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    socket = re.search(r"Socket errors:(.*)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in re.findall(r"\d+", socket.group(1))) if socket else 0
    )
    if "Latency" not in out or re.search(r"\n\s+\d+ requests in", out) is None:
        raise RuntimeError(f"unexpected wrk output: {out}")
    completed = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    if completed == 0:
        return WrkResult(rps, float("nan"), errors, float("nan"))
    return WrkResult(rps, _latency(out, "99"), errors, _latency(out, "50"), completed)
