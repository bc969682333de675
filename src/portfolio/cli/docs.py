"""`portfolio docs`: generated documentation, kept in step with the code by tests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from portfolio.checks.docs import (
    CHECKLIST_PATH,
    TROUBLESHOOTING_PATH,
    render_checklist,
    render_troubleshooting,
)
from portfolio.cli.common import console
from portfolio.report.render.jsonout import render_schema

docs_app = typer.Typer(
    add_completion=False,
    help="Generate the documentation that is derived from code.",
    no_args_is_help=True,
)

SCHEMA_PATH = Path("docs/report.schema.json")


@docs_app.command("schema")
def schema(
    out: Annotated[
        Path, typer.Option(help="Where to write the JSON Schema.", dir_okay=False)
    ] = SCHEMA_PATH,
) -> None:
    """Write the JSON Schema of report.json, generated from the report model."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_schema(), encoding="utf-8")
    console.print(f"wrote {out}", highlight=False)


def _write(out: Path, text: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}", highlight=False)


@docs_app.command("checklist")
def checklist(
    out: Annotated[Path, typer.Option(help="Where to write the checklist.", dir_okay=False)] = Path(
        CHECKLIST_PATH
    ),
) -> None:
    """Write the operations checklist (運用点検チェックリスト) from the checks' metadata."""
    _write(out, render_checklist())


@docs_app.command("troubleshooting")
def troubleshooting(
    out: Annotated[Path, typer.Option(help="Where to write the guide.", dir_okay=False)] = Path(
        TROUBLESHOOTING_PATH
    ),
) -> None:
    """Write the troubleshooting guide: each check's risk and fix, ja and en."""
    _write(out, render_troubleshooting())
