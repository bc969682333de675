"""The Lambda package, built without Docker from the locked dependencies.

Two assets: a layer with the third-party packages and the function code (``src/``).
The layer is installed by uv for the Lambda platform, not this machine's:
``uv export --frozen --no-dev`` writes uv.lock's runtime requirements, and
``uv pip install --python-platform aarch64-manylinux_2_28 --python-version 3.12
--only-binary :all: --target <dir>/python`` fetches the arm64 wheels (manylinux 2.28:
duckdb ships no 2014 wheel; Lambda's Amazon Linux 2023 has glibc 2.34). The servers
the Lambda never runs (granian, uvicorn and its extras) are left out, which keeps the
layer near 200 MB of the 250 MB limit.

The layer is a cached step: its directory is named after a hash of uv.lock and the
platform, built once (about 2 s from uv's cache, longer on a cold cache with network)
and reused by every later synth; ``cdk.out.lambda/`` is git-ignored (``/cdk.out.*/``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from portfolio_infra.settings import REPO_ROOT

PYTHON_VERSION = "3.12"
PLATFORM = "aarch64-manylinux_2_28"
NOT_ON_LAMBDA = ("granian", "uvicorn", "uvloop", "httptools", "watchfiles", "websockets")
"""HTTP servers and their extras: on Lambda, Mangum and the Lambda runtime serve."""
CACHE_DIR = REPO_ROOT / "cdk.out.lambda"
CODE_EXCLUDES = ["**/__pycache__", "**/*.pyc"]


def _uv() -> str:
    found = shutil.which("uv") or str(REPO_ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        raise RuntimeError("uv is needed to build the Lambda layer (make setup installs it)")
    return found


def dependencies_hash() -> str:
    lock = (REPO_ROOT / "uv.lock").read_bytes()
    recipe = f"{PLATFORM} {PYTHON_VERSION} {' '.join(NOT_ON_LAMBDA)}".encode()
    return hashlib.sha256(lock + recipe).hexdigest()[:16]


def layer_dir() -> Path:
    """The layer's directory (``python/`` inside), built if this lock has none yet."""
    target = CACHE_DIR / dependencies_hash()
    done = target / ".complete"
    if done.exists():
        return target
    # A staging folder of this process's own: synths running side by side (the test
    # workers) each build, and the first to finish publishes the layer.
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.partial-", dir=CACHE_DIR))
    requirements = staging / "requirements.txt"
    uv = _uv()
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    exclude = [arg for name in NOT_ON_LAMBDA for arg in ("--no-emit-package", name)]
    subprocess.run(  # noqa: S603 - uv with fixed arguments
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
         *exclude, "--output-file", str(requirements)],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(  # noqa: S603 - uv with fixed arguments
        [uv, "pip", "install", "--quiet", "--python-platform", PLATFORM,
         "--python-version", PYTHON_VERSION, "--only-binary", ":all:",
         "--target", str(staging / "python"), "-r", str(requirements)],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    requirements.unlink()
    (staging / ".complete").write_text(dependencies_hash())
    # The marker is written before the rename, so a published layer is always whole.
    try:
        staging.rename(target)
    except OSError:
        if not done.exists():  # not another process's layer: a real failure
            raise
    shutil.rmtree(staging, ignore_errors=True)
    return target


def code_dir() -> Path:
    """The function's code: the ``portfolio`` package under ``src/``."""
    return REPO_ROOT / "src"
