"""Synthesize the CDK app into a cloud assembly and read its templates back as data.

Synthesis runs ``infra/app.py`` with ``CDK_OUTDIR`` and ``CDK_CONTEXT_JSON`` set, the
protocol the CDK CLI itself uses, so neither the CLI (npm) nor Docker nor an AWS account
is needed; cdk-nag runs inside synthesis and fails it on any unacknowledged finding.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portfolio.config import Design
from portfolio.errors import InfraError

APP_RELATIVE = Path("infra") / "app.py"
JSII_ENV = {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
SYNTH_TIMEOUT_S = 600


DESIGN_OUT: dict[Design, Path] = {
    Design.ORIGINAL: Path("cdk.out"),
    Design.SERVERLESS: Path("cdk.out.serverless"),
}
"""Where ``make synth`` (and ``portfolio infra … --design``) writes each design's assembly."""


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource of a template: its logical id, type and properties."""

    logical_id: str
    type: str
    properties: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def construct_path(self) -> str:
        return str(self.metadata.get("aws:cdk:path", ""))


@dataclass(frozen=True, slots=True)
class StackTemplate:
    """A synthesized stack: name, region and its resources in template order."""

    name: str
    region: str
    template: Mapping[str, Any]

    def resources(self) -> list[Resource]:
        return [
            Resource(
                logical_id=logical_id,
                type=str(body["Type"]),
                properties=body.get("Properties", {}),
                metadata=body.get("Metadata", {}),
            )
            for logical_id, body in self.template.get("Resources", {}).items()
        ]

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources() if r.type == resource_type]


@dataclass(frozen=True, slots=True)
class Assembly:
    """The stacks of a cloud assembly directory (``cdk.out``)."""

    directory: Path
    stacks: tuple[StackTemplate, ...]

    def resources(self) -> Iterator[tuple[StackTemplate, Resource]]:
        for stack in self.stacks:
            for resource in stack.resources():
                yield stack, resource

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for _, r in self.resources() if r.type == resource_type]

    @property
    def resource_count(self) -> int:
        return sum(len(stack.resources()) for stack in self.stacks)


@dataclass(frozen=True, slots=True)
class SynthResult:
    assembly: Assembly
    seconds: float


def find_app(start: Path | None = None) -> Path:
    """``infra/app.py`` of the checkout: from ``start`` (default: cwd) or beside the package."""
    candidates = [(start or Path.cwd()) / APP_RELATIVE]
    # An editable install: src/portfolio/infra/assembly.py -> repository root.
    candidates.append(Path(__file__).resolve().parents[3] / APP_RELATIVE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InfraError(f"cannot find {APP_RELATIVE}: run `portfolio infra` from the repository root")


def synthesize(
    out_dir: Path, *, context: Mapping[str, str] | None = None, app: Path | None = None
) -> SynthResult:
    """Synthesize into ``out_dir`` (replaced whole, so no stale asset survives)."""
    app_path = app or find_app()
    started = time.monotonic()
    try:  # beside out_dir, so the finished assembly is renamed into place
        staging_dir = tempfile.TemporaryDirectory(prefix="cdk.out.", dir=out_dir.parent)
    except OSError as err:  # its error names the scratch path, which nobody typed
        raise InfraError(f"cannot write the cloud assembly to {out_dir}: {err.strerror}") from err
    with staging_dir as staging:
        env = {
            **os.environ,
            **JSII_ENV,
            "CDK_OUTDIR": staging,
            "CDK_CONTEXT_JSON": json.dumps(dict(context or {})),
        }
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter running our own app
                [sys.executable, str(app_path)],
                env=env,
                cwd=app_path.parent.parent,
                capture_output=True,
                text=True,
                timeout=SYNTH_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise InfraError(f"synth did not finish in {SYNTH_TIMEOUT_S} s") from err
        if done.returncode != 0:
            raise InfraError(f"synth failed:\n{_failure_text(done.stdout + done.stderr)}")
        _replace_assembly(Path(staging), out_dir)
    return SynthResult(assembly=load_assembly(out_dir), seconds=time.monotonic() - started)


def _failure_text(output: str) -> str:
    """The validation findings if there are any, else the end of the output."""
    lines = output.splitlines()
    findings = [
        line
        for index, line in enumerate(lines)
        if line.startswith(("ERROR ", "WARNING "))
        or (index > 0 and lines[index - 1].startswith(("ERROR ", "WARNING ")))
    ]
    return "\n".join(findings or lines[-20:])


def _replace_assembly(staging: Path, out_dir: Path) -> None:
    if out_dir.exists():
        if not (out_dir / "manifest.json").exists() and any(out_dir.iterdir()):
            raise InfraError(f"{out_dir} exists and is not a cloud assembly; not replacing it")
        shutil.rmtree(out_dir)
    shutil.copytree(staging, out_dir)


def load_assembly(directory: Path) -> Assembly:
    """Read every stack template listed in the assembly's manifest."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except FileNotFoundError:
        raise InfraError(
            f"{directory} holds no cloud assembly; run `portfolio infra synth`"
        ) from None
    except (OSError, json.JSONDecodeError) as err:
        raise InfraError(f"cannot read {manifest_path}: {err}") from err
    stacks = []
    for name, artifact in sorted(manifest.get("artifacts", {}).items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        props = artifact.get("properties", {})
        template_path = directory / props["templateFile"]
        environment = str(artifact.get("environment", ""))
        region = environment.rsplit("/", 1)[-1] if environment else "unknown"
        stacks.append(
            StackTemplate(
                name=name,
                region=region,
                template=json.loads(template_path.read_text("utf-8")),
            )
        )
    if not stacks:
        raise InfraError(f"{directory} holds no stack templates")
    return Assembly(directory=directory, stacks=tuple(stacks))
