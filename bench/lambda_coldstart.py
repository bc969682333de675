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
event; its wall time is measured from outside, median of ``COLD_STARTS`` runs taken in
turn with the baseline's. Our handler runs on the SQLite store (no AWS here); on AWS it
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


def cold_start_s(python: str, task: Path, layer: Path, handler: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [python, "-S", "-c", DRIVER, handler],
        env={**env, "PYTHONPATH": f"{task}:{layer}", "PYTHONDONTWRITEBYTECODE": "1"},
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


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
        runs: dict[str, list[float]] = {"ours": [], "bare": []}
        for _ in range(COLD_STARTS):
            runs["ours"].append(
                cold_start_s(python, ours, layer, "portfolio.api.lambda_app.handler", env)
            )
            runs["bare"].append(cold_start_s(python, bare, layer, "bare_handler.handler", env))
    ours_s, bare_s = (statistics.median(runs[k]) for k in ("ours", "bare"))
    ratio = ours_s / bare_s
    emit(f"  cold start, import + one /health: ours {ours_s * 1000:.0f} ms,"
         f" bare Mangum + FastAPI {bare_s * 1000:.0f} ms (median of {COLD_STARTS})")  # fmt: skip
    emit(f"  ratio ours / bare {ratio:.2f} (goal <= {GOAL})")
    results["lambda_cold_start"] = {
        "python": version,
        "ours_ms": ours_s * 1000,
        "bare_ms": bare_s * 1000,
        "runs_ms": {k: [v * 1000 for v in vs] for k, vs in runs.items()},
        "ratio_ours_vs_bare": ratio,
        "goals": {"ratio_ours_vs_bare": f"<= {GOAL}"},
    }


if __name__ == "__main__":
    lambda_coldstart_benchmark({}, print)
