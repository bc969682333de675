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

Bytecode. ``/var/task`` and ``/opt`` are read-only on Lambda, so a package without
``.pyc`` files compiles every module it imports on every cold start (the issue measured
2.8-4.3 s to import the handler, 1.05-1.28 s with bytecode). Both assets are therefore
compiled by an interpreter of the runtime's version (``runtime_python``: Python 3.12,
found on this machine), with ``unchecked-hash`` invalidation: the asset zip does not
keep the sources' modification times, so timestamp-checked ``.pyc`` files would be
ignored. With no 3.12 interpreter here the package ships without bytecode and the synth
says so on stderr: ``.pyc`` of another version would be dead weight, never used.
The function code is staged the same way (``code_dir``), named after a hash of the
sources and the compiling interpreter.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The repository (its own, not settings.REPO_ROOT: the bench imports this without CDK)."""

PYTHON_VERSION = "3.12"
PLATFORM = "aarch64-manylinux_2_28"
NOT_ON_LAMBDA = ("granian", "uvicorn", "uvloop", "httptools", "watchfiles", "websockets")
"""HTTP servers and their extras: on Lambda, Mangum and the Lambda runtime serve."""
CACHE_DIR = REPO_ROOT / "cdk.out.lambda"
RUNTIME_PYTHON_ENV = "PORTFOLIO_LAMBDA_PYTHON"
"""An interpreter of the runtime's version to compile the package with (else searched)."""
ASSET_EXCLUDES = [".complete"]
"""The cache's marker that a staged folder is whole: not part of the package."""


def _uv() -> str:
    found = shutil.which("uv") or str(REPO_ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        raise RuntimeError("uv is needed to build the Lambda layer (make setup installs it)")
    return found


@functools.cache
def runtime_python(version: str = PYTHON_VERSION) -> str | None:
    """An interpreter of ``version`` on this machine, to compile the package's bytecode.

    ``$PORTFOLIO_LAMBDA_PYTHON`` first, then ``python3.12`` on the PATH, pyenv's and
    uv's installs; each is run once to check its version (a pyenv shim for a version
    that is not selected fails that check). None when there is none.
    """
    home = Path.home()
    candidates = [
        os.environ.get(RUNTIME_PYTHON_ENV, ""),
        shutil.which(f"python{version}") or "",
        *sorted(glob.glob(str(home / f".pyenv/versions/{version}*/bin/python{version}"))),
        *sorted(glob.glob(str(home / f".local/share/uv/python/cpython-{version}*/bin/python3"))),
    ]
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run(  # noqa: S603 - a local interpreter, fixed arguments
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                check=True, capture_output=True, text=True, timeout=30,
            ).stdout.strip()  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            continue
        if found == version:
            return candidate
    return None


def compile_bytecode(directory: Path, python: str) -> None:
    """Every module under ``directory`` compiled by ``python`` into ``__pycache__``.

    ``unchecked-hash``: the ``.pyc`` is used without comparing the source's mtime or
    hash, which is right for a read-only package whose zip keeps no mtimes.
    """
    subprocess.run(  # noqa: S603 - a local interpreter, fixed arguments
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
         str(directory)],
        check=True, capture_output=True,
    )  # fmt: skip


def _no_bytecode_note(what: str) -> None:
    print(
        f"note: no Python {PYTHON_VERSION} interpreter here (set ${RUNTIME_PYTHON_ENV}):"
        f" the Lambda {what} ships without bytecode, so each cold start compiles it",
        file=sys.stderr,
    )


def dependencies_hash(python: str | None = None) -> str:
    lock = (REPO_ROOT / "uv.lock").read_bytes()
    compiled = "bytecode" if python else "source"
    recipe = f"{PLATFORM} {PYTHON_VERSION} {compiled} {' '.join(NOT_ON_LAMBDA)}".encode()
    return hashlib.sha256(lock + recipe).hexdigest()[:16]


def published(target: Path, build: Callable[[Path], None]) -> Path:
    """``target``, built by ``build(staging)`` unless a complete one is there already.

    A staging folder of this process's own: synths running side by side (the test
    workers) each build, and the first to finish publishes. The marker is written
    before the rename, so a published folder is always whole.
    """
    done = target / ".complete"
    if done.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.partial-", dir=target.parent))
    build(staging)
    (staging / ".complete").write_text(target.name)
    try:
        staging.rename(target)
    except OSError:
        if not done.exists():  # not another process's folder: a real failure
            raise
    shutil.rmtree(staging, ignore_errors=True)
    return target


def install_layer(
    staging: Path, *, platform: str = PLATFORM, python_version: str = PYTHON_VERSION
) -> None:
    """The locked runtime dependencies installed under ``staging/python`` for a platform."""
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
        [uv, "pip", "install", "--quiet", "--python-platform", platform,
         "--python-version", python_version, "--only-binary", ":all:",
         "--target", str(staging / "python"), "-r", str(requirements)],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    requirements.unlink()


def layer_dir() -> Path:
    """The layer's directory (``python/`` inside), built if this lock has none yet."""
    python = runtime_python()

    def build(staging: Path) -> None:
        install_layer(staging)
        if python:
            compile_bytecode(staging / "python", python)
        else:
            _no_bytecode_note("layer")

    return published(CACHE_DIR / dependencies_hash(python), build)


def _sources_hash(source: Path, python: str | None) -> str:
    digest = hashlib.sha256(f"{python and PYTHON_VERSION}".encode())
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def stage_code(target: Path, python: str | None) -> None:
    """The ``portfolio`` package copied under ``target``, compiled by ``python`` if any."""
    shutil.copytree(
        REPO_ROOT / "src" / "portfolio",
        target / "portfolio",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    if python:
        compile_bytecode(target, python)


def code_dir() -> Path:
    """The function's code: the ``portfolio`` package, with bytecode for the runtime."""
    python = runtime_python()
    if python is None:
        _no_bytecode_note("function code")
    name = f"code-{_sources_hash(REPO_ROOT / 'src' / 'portfolio', python)}"
    return published(CACHE_DIR / name, lambda staging: stage_code(staging, python))
