"""The monthly security audits that run only when asked: IaC gates and dependencies.

``--iac-scan`` runs the infrastructure gates over a fresh synthesis: cdk-nag (inside
synth: an unacknowledged finding fails it), cfn-lint and checkov, and records their
counts. ``--dependency-audit`` checks every package pinned in uv.lock against a
vulnerability database (PyPI's JSON API, the data pip-audit's default service uses).
Both need tools or network the service's image does not have, so the scheduled monthly
job records them as not run and a person runs them from a checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from portfolio.checks.gate_cache import cached_counts
from portfolio.checks.snapshot import DependencyAudit, IacScan, Vulnerability
from portfolio.errors import InputError, SourceError
from portfolio.infra.assembly import Assembly

TOOL_TIMEOUT_S = 600
PYPI_JSON = "https://pypi.org/pypi"


def _tool(name: str, *candidates: Path) -> str:
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise InputError(f"--iac-scan needs {name}: `make infra-gates` installs it")
    return found


def _run(command: Sequence[str]) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed tool paths, no shell
            list(command), capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SourceError(f"{Path(command[0]).name} could not run: {err}") from err
    if not done.stdout.strip():  # both gates print JSON ("[]" when clean): nothing is a crash
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SourceError(f"{Path(command[0]).name} printed no result ({done.returncode}): {last}")
    return done.stdout


def cfn_lint_scan(cfn_lint: Path, templates: Sequence[Path]) -> tuple[int, int]:
    """(errors, warnings) of cfn-lint over ``templates``, kept by what it read."""
    command = [str(cfn_lint), "--format", "json", "--", *map(str, templates)]
    return cached_counts(cfn_lint, templates, lambda: cfn_lint_counts(_run(command)))


def checkov_scan(checkov: Path, config: Path, directory: Path) -> tuple[int, int]:
    """(passed, failed) of checkov over ``directory``'s templates, kept by what it read."""
    command = [str(checkov), "--config-file", str(config), "--directory", str(directory),
               "--output", "json"]  # fmt: skip
    return cached_counts(checkov, [config, *checkov_inputs(directory)],
                         lambda: checkov_counts(_run(command)))  # fmt: skip


def checkov_inputs(directory: Path) -> list[Path]:
    """The files checkov's two frameworks (.checkov.yaml) read under ``directory``:
    CloudFormation in any JSON or YAML file, and every Dockerfile (the image's assets)."""
    suffixes = {".json", ".yaml", ".yml", ".template"}
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and (p.suffix in suffixes or p.name.startswith("Dockerfile"))
    )


def cfn_lint_counts(output: str) -> tuple[int, int]:
    """(errors, warnings) from cfn-lint's JSON output."""
    matches: list[dict[str, Any]] = json.loads(output or "[]")
    levels = [str(m.get("Level", "")) for m in matches]
    return levels.count("Error"), levels.count("Warning")


def checkov_counts(output: str) -> tuple[int, int]:
    """(passed, failed) from checkov's JSON output (one report, or one per framework)."""
    data = json.loads(output or "[]")
    reports = data if isinstance(data, list) else [data]
    passed = sum(int(r.get("summary", {}).get("passed", 0)) for r in reports)
    failed = sum(int(r.get("summary", {}).get("failed", 0)) for r in reports)
    return passed, failed


def iac_scan(assembly: Assembly, root: Path) -> IacScan:
    """cfn-lint and checkov over ``assembly``; cdk-nag already passed if it synthesized."""
    templates = sorted(assembly.directory.glob("*.template.json"))
    cfn_lint = _tool("cfn-lint", Path(sys.executable).parent / "cfn-lint")
    checkov = _tool(
        "checkov",
        Path(os.environ.get("PORTFOLIO_CHECKOV", root / ".tools" / "checkov" / "bin" / "checkov")),
    )
    errors, warnings = cfn_lint_scan(Path(cfn_lint), templates)
    passed, failed = checkov_scan(Path(checkov), root / ".checkov.yaml", assembly.directory)
    return IacScan(
        nag_unacknowledged=0,  # synthesis fails on any; this assembly synthesized
        cfn_lint_errors=errors,
        cfn_lint_warnings=warnings,
        checkov_passed=passed,
        checkov_failed=failed,
    )


def installed_iac_scan(assembly: Assembly, root: Path) -> IacScan:
    """The gates this machine has, over ``assembly``: cdk-nag always (the assembly
    synthesized, so it found nothing unacknowledged), cfn-lint and checkov when installed
    (the demo's install has neither unless `make infra-gates` ran); a tool that is not
    installed is recorded as not run, never as clean."""
    templates = sorted(assembly.directory.glob("*.template.json"))
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    checkov = Path(
        os.environ.get("PORTFOLIO_CHECKOV", root / ".tools" / "checkov" / "bin" / "checkov")
    )
    errors = warnings = passed = failed = None
    if cfn_lint.is_file():
        errors, warnings = cfn_lint_scan(cfn_lint, templates)
    if checkov.is_file() and (root / ".checkov.yaml").is_file():
        passed, failed = checkov_scan(checkov, root / ".checkov.yaml", assembly.directory)
    return IacScan(nag_unacknowledged=0, cfn_lint_errors=errors, cfn_lint_warnings=warnings,
                   checkov_passed=passed, checkov_failed=failed)  # fmt: skip


def locked_packages(lock: Path) -> list[tuple[str, str]]:
    """(name, version) of every registry package uv.lock pins."""
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return sorted(
        (str(p["name"]), str(p["version"]))
        for p in data.get("package", [])
        if "registry" in p.get("source", {}) and "version" in p
    )


def audit_dependencies(
    packages: Sequence[tuple[str, str]], client: httpx.Client, *, base: str = PYPI_JSON
) -> DependencyAudit:
    """Each package's known, not withdrawn vulnerabilities; SourceError if the data is missing.

    An answer without release data (PyPI's JSON API absent behind a mirror, say) stops
    the audit: counting it as "no vulnerabilities" would be a false all-clear.
    """
    found: list[Vulnerability] = []
    for name, version in packages:
        try:
            response = client.get(f"{base}/{name}/{version}/json")
        except httpx.HTTPError as err:
            raise SourceError(f"dependency audit: {base} unreachable: {err}") from err
        if response.status_code != httpx.codes.OK:
            raise SourceError(
                f"dependency audit: {base} answered {response.status_code} for {name} {version}"
            )
        for vuln in response.json().get("vulnerabilities") or []:
            if vuln.get("withdrawn"):
                continue
            found.append(
                Vulnerability(name, version, str(vuln.get("id")), tuple(vuln.get("fixed_in") or ()))
            )
    return DependencyAudit(packages=len(packages), source=base, vulnerabilities=tuple(found))
