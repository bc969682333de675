"""`portfolio infra`: synthesize the CDK app, price it, and write the management ledger.

None of these commands needs Docker or an AWS account; aws-cdk-lib is loaded only in the
child process that synthesizes, so `portfolio serve` never pays for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from portfolio.cli.common import console, err_console
from portfolio.config import Design
from portfolio.costs import TAX_NOTE, PriceTable, UsageProfile, estimate, load_prices
from portfolio.errors import InputError
from portfolio.infra.assembly import DESIGN_OUT, Assembly, load_assembly, synthesize
from portfolio.infra.cost import (
    ASSESSMENTS,
    StackCost,
    crossover_requests_per_day,
    profile_from_assembly,
    stack_cost,
)
from portfolio.infra.ledger import render_ledger

infra_app = typer.Typer(
    add_completion=False,
    help="Synthesize the AWS stacks (CDK), estimate their monthly cost, write the ledger.",
    no_args_is_help=True,
)

DEFAULT_OUT = DESIGN_OUT[Design.ORIGINAL]
"""Where each design's assembly lives (``make synth`` writes both)."""
TRAFFIC_MULTIPLES = (1, 10, 100)
LEDGER_PATH = Path("docs") / "09-management-ledger.md"

OutOption = Annotated[
    Path, typer.Option("--out", help="Cloud assembly directory (written by synth).")
]
ContextOption = Annotated[
    list[str] | None,
    typer.Option("--context", "-c", help="CDK context KEY=VALUE, e.g. -c certificate_arn=arn:..."),
]
SynthOption = Annotated[
    bool, typer.Option(help="Synthesize first (otherwise read an existing --out).")
]


def _context(pairs: list[str] | None) -> dict[str, str]:
    context: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"context must be KEY=VALUE, got {pair!r}")
        context[key.strip()] = value
    return context


def _assembly(out: Path, synth: bool, context: list[str] | None) -> Assembly:
    if synth or not (out / "manifest.json").exists():
        with err_console.status("synthesizing (cdk-nag included)..."):
            return synthesize(out, context=_context(context)).assembly
    return load_assembly(out)


@infra_app.command()
def synth(out: OutOption = DEFAULT_OUT, context: ContextOption = None) -> None:
    """Synthesize every stack into --out; fails on any unacknowledged cdk-nag finding."""
    result = synthesize(out, context=_context(context))
    for stack in result.assembly.stacks:
        console.print(f"{stack.name} ({stack.region}): {len(stack.resources())} resources")
    console.print(
        f"{result.assembly.resource_count} resources in {len(result.assembly.stacks)} stacks,"
        f" synthesized to {out} in {result.seconds:.1f} s; cdk-nag: no unacknowledged findings"
    )


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _print_cost(cost: StackCost) -> None:
    estimate = cost.estimate
    table = Table(
        title=f"Monthly cost of the synthesized stacks ({estimate.region},"
        f" prices as of {estimate.prices_as_of})",
        show_lines=False,
    )
    table.add_column("Service")
    table.add_column("Item")
    table.add_column("Monthly", justify="right")
    table.add_column("Basis")
    for service, total in estimate.by_service().items():
        lines = [line for line in estimate.lines if line.service == service]
        for index, line in enumerate(lines):
            mark = "" if line.price_verified else " *"
            table.add_row(
                service if index == 0 else "",
                line.item,
                _usd(line.usd),
                line.basis + mark,
            )
        if len(lines) > 1:
            table.add_row("", f"[bold]{service} total[/bold]", f"[bold]{_usd(total)}[/bold]", "")
    table.add_row("[bold]Total[/bold]", "", f"[bold]{_usd(estimate.total_usd)}[/bold]", "")
    console.print(table)
    console.print(
        f"Traffic: {cost.profile.requests_per_month:,.0f} requests/month"
        f" ({cost.profile.requests_per_second:.2f} req/s); always-free allowances applied."
        " * = price not confirmed at lookup (see src/portfolio/costs/prices.toml)."
        f" {TAX_NOTE}"
    )
    if cost.budget_usd is not None:
        if cost.over_budget:
            console.print(
                f"[bold red]Budget {_usd(cost.budget_usd)}/month cannot hold:[/bold red]"
                f" the stacks cost {_usd(estimate.total_usd)}; each of"
                f" {', '.join(cost.lines_over_budget()) or 'no single service'}"
                " alone costs more than the whole budget."
            )
        else:
            console.print(f"Within the {_usd(cost.budget_usd)}/month budget.")

    alternatives = Table(title="The same traffic on other designs")
    alternatives.add_column("Design")
    alternatives.add_column("Monthly", justify="right")
    alternatives.add_column("Keeps targets")
    alternatives.add_column("Why")
    for alt in cost.alternatives:
        keeps, why = ASSESSMENTS[alt.architecture]
        alternatives.add_row(
            f"{alt.architecture.value}: {alt.description}",
            _usd(alt.total_usd),
            "yes" if keeps else "no",
            why,
        )
    console.print(alternatives)
    best = cost.cheapest_keeping_targets()
    console.print(
        f"Cheapest design that keeps the targets: {best.architecture.value}"
        f" at {_usd(best.total_usd)}/month"
        f" ({_usd(estimate.total_usd - best.total_usd)} less than the synthesized stacks)."
    )


@infra_app.command()
def cost(
    out: OutOption = DEFAULT_OUT,
    context: ContextOption = None,
    synth: SynthOption = False,
    requests_per_day: Annotated[
        float | None, typer.Option(min=0, help="Traffic (default: the original's 21,600).")
    ] = None,
    prices: Annotated[
        Path | None, typer.Option(help="Price table TOML (default: the packaged Tokyo table).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    design: Annotated[
        Design | None,
        typer.Option(help="Price that design's assembly (its own --out)."),
    ] = None,
) -> None:
    """Estimate the monthly cost of the synthesized stacks, per service, like infracost."""
    if design is not None:
        out = DESIGN_OUT[design] if out == DEFAULT_OUT else out
        context = [*(context or []), f"design={design.value}"]
    base = UsageProfile()
    if requests_per_day is not None:
        base = base.model_copy(
            update={"requests_per_month": requests_per_day * base.hours_in_month / 24}
        )
    price_table = load_prices(prices)
    assembly = _assembly(out, synth, context)
    result = stack_cost(assembly, price_table, base)
    if as_json:
        payload = {
            "estimate": result.estimate.model_dump(mode="json"),
            "budget_usd": result.budget_usd,
            "tax": TAX_NOTE,
            "alternatives": [
                {
                    "architecture": alt.architecture.value,
                    "total_usd": alt.total_usd,
                    "keeps_targets": ASSESSMENTS[alt.architecture][0],
                }
                for alt in result.alternatives
            ],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print_cost(result)
    if design is not None:
        _print_designs(assembly, design.value, synth, price_table, base)


def _print_designs(
    assembly: Assembly, design: str, synth: bool, prices: PriceTable, base: UsageProfile
) -> None:
    """Both designs at 1×, 10× and 100× the traffic, and the traffic where they cost the same."""
    other_name = "serverless" if design == "original" else "original"
    other = _assembly(DESIGN_OUT[Design(other_name)], synth, [f"design={other_name}"])
    profiles = {
        design: profile_from_assembly(assembly, base),
        other_name: profile_from_assembly(other, base),
    }
    table = Table(title="Both designs as traffic grows (USD a month)")
    table.add_column("Requests/day", justify="right")
    for name in ("original", "serverless"):
        table.add_column(name, justify="right")
    for multiple in TRAFFIC_MULTIPLES:
        per_month = base.requests_per_month * multiple
        row = [f"{per_month * 24 / base.hours_in_month:,.0f} ({multiple}×)"]
        for name in ("original", "serverless"):
            profile, architecture = profiles[name]
            scaled = profile.model_copy(update={"requests_per_month": per_month})
            row.append(_usd(estimate(scaled, prices, architecture).total_usd))
        table.add_row(*row)
    console.print(table)
    crossing = crossover_requests_per_day(
        profiles["original"][0], profiles["serverless"][0], prices
    )
    if crossing is None:
        console.print("The designs do not cost the same at any traffic up to 100 M requests/day.")
    else:
        console.print(
            f"Crossover: both designs cost the same at {crossing:,.0f} requests/day"
            f" ({crossing / 86_400:.1f} req/s); below it the serverless design is cheaper."
        )


@infra_app.command()
def ledger(
    out: OutOption = DEFAULT_OUT,
    context: ContextOption = None,
    synth: SynthOption = False,
    output: Annotated[Path, typer.Option(help="Where to write the ledger.")] = LEDGER_PATH,
    check: Annotated[
        bool, typer.Option(help="Do not write; exit 1 if the file differs from the templates.")
    ] = False,
) -> None:
    """Write the 構成管理台帳 (management ledger) from the synthesized templates."""
    text = render_ledger(_assembly(out, synth, context))
    if check:
        current = output.read_text("utf-8") if output.exists() else ""
        if current != text:
            err_console.print(f"{output} is out of date; run `portfolio infra ledger`")
            raise typer.Exit(1)
        console.print(f"{output} matches the templates")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, "utf-8")
    console.print(f"wrote {output}")
