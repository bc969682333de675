"""The Lambda handler's cold start beside a bare Mangum + FastAPI handler.

Both run from the package layout the stack deploys, built by the project's own
packaging (``portfolio_infra.lambda_package``): the function code in ``task/`` (here:
``portfolio`` as staged for the asset; for the baseline: one module with a FastAPI app
answering ``/health`` behind Mangum) and the locked dependencies in ``layer/python``,
both compiled to bytecode the way the assets are. The layer is installed for this
machine's architecture (the deployed one is arm64) and the interpreter is the
runtime's version when this machine has it (``runtime_python``), else this one's: the
line printed says which.

A cold start here is one fresh interpreter (``python -S``: only the package's paths,
as on Lambda) importing the handler and answering one Function URL ``GET /health``
event; its wall time and its CPU time (user + system, from the child's resource usage)
are measured from outside, median of ``COLD_STARTS`` runs taken in turn with the
baseline's. The ratio is judged on CPU time: on a busy shared machine the wall time is
mostly waiting for a core (a Lambda cold start has its own), and CPU time is not
inflated by other processes' load. Our handler runs on the SQLite store (no AWS here); on AWS it
would also open its DynamoDB client, which the baseline has no counterpart for.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "infra"))

from portfolio_infra import lambda_package  # noqa: E402

COLD_STARTS = int(os.environ.get("BENCH_COLD_STARTS", "7"))
GOAL = 1.5

BARE_HANDLER = '''
"""The baseline: FastAPI with one /health route behind Mangum, nothing else."""
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
'''

DRIVER = textwrap.dedent(
    """
    import importlib, sys
    module, name = sys.argv[1].rsplit(".", 1)
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": "/health",
        "rawQueryString": "", "headers": {"host": "abc.lambda-url.ap-northeast-1.on.aws"},
        "requestContext": {
            "accountId": "anonymous", "apiId": "abc", "domainName": "abc.lambda-url.on.aws",
            "domainPrefix": "abc", "requestId": "cold", "routeKey": "$default",
            "stage": "$default", "time": "01/Dec/2026:00:00:00 +0000",
            "timeEpoch": 1796083200000,
            "http": {"method": "GET", "path": "/health", "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.7", "userAgent": "bench"},
        },
        "isBase64Encoded": False,
    }
    response = getattr(importlib.import_module(module), name)(event, None)
    assert response["statusCode"] == 200, response
    """
)


def build_layout(root: Path, python: str, version: str) -> tuple[Path, Path, Path]:
    """The layer (cached like the deployed one), our code and the baseline's code."""
    machine = platform.machine()
    key = lambda_package.dependencies_hash(python) + f"-{machine}-{version}"

    def install(staging: Path) -> None:
        lambda_package.install_layer(
            staging, platform=f"{machine}-manylinux_2_28", python_version=version
        )
        lambda_package.compile_bytecode(staging / "python", python)

    layer = lambda_package.published(lambda_package.CACHE_DIR / f"bench-layer-{key}", install)
    ours = root / "ours"
    lambda_package.stage_code(ours, python)
    bare = root / "bare"
    bare.mkdir()
    (bare / "bare_handler.py").write_text(BARE_HANDLER)
    lambda_package.compile_bytecode(bare, python)
    return layer / "python", ours, bare


def cold_start_s(
    python: str, task: Path, layer: Path, handler: str, env: dict[str, str]
) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh interpreter importing ``handler`` and answering."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [python, "-S", "-c", DRIVER, handler],
        env={**env, "PYTHONPATH": f"{task}:{layer}", "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    error = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{handler} failed: {error.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def lambda_coldstart_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    python = lambda_package.runtime_python() or sys.executable
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    emit(f"  Python {version} ({python}); Lambda's runtime: {lambda_package.PYTHON_VERSION}")
    with tempfile.TemporaryDirectory() as tmp:
        layer, ours, bare = build_layout(Path(tmp), python, version)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": tmp,
            "PORTFOLIO_STORE__SQLITE_PATH": str(Path(tmp) / "cold.db"),
            "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
        }
        handlers = {"ours": (ours, "portfolio.api.lambda_app.handler"),
                    "bare": (bare, "bare_handler.handler")}  # fmt: skip
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in handlers}
        for _ in range(COLD_STARTS):
            for name, (task, handler) in handlers.items():
                runs[name].append(cold_start_s(python, task, layer, handler, env))
    wall = {k: statistics.median(w for w, _ in v) * 1000 for k, v in runs.items()}
    cpu = {k: statistics.median(c for _, c in v) * 1000 for k, v in runs.items()}
    ratio, wall_ratio = cpu["ours"] / cpu["bare"], wall["ours"] / wall["bare"]
    emit(f"  cold start, import + one /health (median of {COLD_STARTS}): CPU ours"
         f" {cpu['ours']:.0f} ms, bare Mangum + FastAPI {cpu['bare']:.0f} ms; wall ours"
         f" {wall['ours']:.0f} ms, bare {wall['bare']:.0f} ms")  # fmt: skip
    emit(f"  ratio ours / bare: CPU {ratio:.2f} (goal <= {GOAL}), wall {wall_ratio:.2f}")
    results["lambda_cold_start"] = {
        "python": version,
        "cpu_ms": cpu,
        "wall_ms": wall,
        "runs_ms": {k: [[w * 1000, c * 1000] for w, c in v] for k, v in runs.items()},
        "ratio_ours_vs_bare": ratio,
        "ratio_wall_ours_vs_bare": wall_ratio,
        "goals": {"ratio_ours_vs_bare": f"<= {GOAL}"},
    }


if __name__ == "__main__":
    lambda_coldstart_benchmark({}, print)
