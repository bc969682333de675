"""`portfolio report` and `portfolio demo`: the monthly operations report from measured data."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from portfolio.cli.common import (
    AwsEndpointOption,
    DbOption,
    choices,
    console,
    load_settings,
)
from portfolio.costs.designs import DESIGN_ARCHITECTURE
from portfolio.costs.estimator import Architecture
from portfolio.errors import InputError
from portfolio.period import Period
from portfolio.report.build import Shape, compute_report, has_data
from portfolio.report.model import Report
from portfolio.report.render.pdf import missing_packages
from portfolio.report.render.text import STATUS_ICON, t
from portfolio.report.write import WRITERS, Format, Language, write_report
from portfolio.sources.base import ReportSource, SourceOptions, make_source
from portfolio.sources.local import LocalSource
from portfolio.sources.registry import SOURCE_MODULES
from portfolio.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from portfolio.config import Settings
    from portfolio.infra.assembly import Assembly

LANGS: dict[str, list[Language]] = {"ja": ["ja"], "en": ["en"], "all": ["ja", "en"]}
DEMO_DESIGNS: dict[str, Architecture] = {d.value: a for d, a in DESIGN_ARCHITECTURE.items()}
"""The designs ``demo --design`` prices the month for (``infra cost --design`` names)."""


def _choice(value: str, options: Mapping[str, object], name: str) -> None:
    if value not in options:
        raise InputError(f"{name} must be one of {', '.join(options)}, got {value!r}")


def generate(
    source: ReportSource,
    period: Period,
    out: Path,
    *,
    langs: list[Language],
    formats: list[Format],
    allow_empty: bool = True,
    design: Architecture | None = None,
    shape: Shape | None = None,
) -> tuple[Report, list[Path]] | None:
    """Observe, compute and write, with a progress bar over the steps.

    ``design`` is what the cost estimate prices: by default the design the settings
    deploy (``PORTFOLIO_DESIGN``), as the scheduled report job prices it.

    None, with nothing written, when the month has no data and ``allow_empty`` is off.
    """
    settings = load_settings()
    from portfolio.costs import load_prices

    design = design or DESIGN_ARCHITECTURE[settings.design]

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
        transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task(f"report {period.label}: observing", total=4)
        observations = source.observe(period)
        if not allow_empty and not has_data(observations):
            return None
        progress.update(task, advance=1, description=f"report {period.label}: previous month")
        previous = source.observe(period.previous(), traffic_only=True)
        progress.update(task, advance=1, description=f"report {period.label}: computing")
        report = compute_report(
            observations, settings, previous=previous, now=datetime.now(UTC),
            prices=load_prices(), design=design, shape=shape,
        )  # fmt: skip
        progress.update(task, advance=1, description=f"report {period.label}: writing")
        written = write_report(report, out, formats=formats, langs=langs)
        progress.update(task, advance=1)
    return report, written


def print_summary(report: Report, written: list[Path], seconds: float) -> None:
    table = Table(title=f"{report.document.environment} — {report.period.month}")
    table.add_column("KPI")
    table.add_column("target", justify="right")
    table.add_column("actual", justify="right")
    table.add_column("", justify="center")
    for kpi in report.kpis:
        actual = "no data" if kpi.actual is None else f"{kpi.actual:,.3f}".rstrip("0").rstrip(".")
        table.add_row(
            t("en", f"k.{kpi.id}"), f"{kpi.target:,.4g} {kpi.unit}", actual,
            STATUS_ICON[kpi.status.value],
        )  # fmt: skip
    console.print(table)
    for path in written:
        console.print(f"wrote {path}", highlight=False)
    console.print(f"in {seconds:.2f} s", style="dim")


def report(
    month: Annotated[
        str | None, typer.Option(help="YYYY-MM (default: the previous month in the report zone).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language.", metavar=choices(LANGS))] = "all",
    fmt: Annotated[
        str, typer.Option("--format", help="File format.", metavar=choices([*WRITERS, "all"]))
    ] = "all",
    out: Annotated[
        Path | None, typer.Option(help="Directory (default: ./reports/YYYY-MM/).", file_okay=False)
    ] = None,
    source: Annotated[
        str,
        typer.Option(help="Where the figures come from.", metavar=choices(SOURCE_MODULES)),
    ] = "local",
    logs: Annotated[
        list[str] | None, typer.Option(help="Access-log files, directories or s3:// prefixes.")
    ] = None,
    cloudfront_logs: Annotated[
        list[str] | None, typer.Option(help="CloudFront standard-log files or prefixes.")
    ] = None,
    endpoint_url: Annotated[str | None, AwsEndpointOption] = None,
    db: Annotated[Path | None, DbOption] = None,
    allow_empty: Annotated[
        bool, typer.Option(help="Write the no-data report for a month with no data.")
    ] = False,
) -> None:
    """Write the monthly operations report (運用報告書) of one month from measured data.

    A month with no data writes nothing and exits 1, unless --allow-empty.
    """
    _choice(lang, LANGS, "--lang")
    formats = _formats(fmt)
    settings = load_settings(store__sqlite_path=db)
    tz = settings.report.timezone
    period = Period.parse(month, tz) if month else Period.previous_to(datetime.now(UTC), tz)
    if db is not None and not db.exists():
        # Only serve and demo create stores; a report of a store that is not there is a typo.
        raise InputError(f"--db {db}: no such store (only serve and demo create one)")
    chosen = make_source(
        source,
        SourceOptions(
            settings=settings,
            logs=tuple(logs or ()),
            cloudfront_logs=tuple(cloudfront_logs or ()),
            endpoint_url=endpoint_url,
        ),
    )
    started = time.perf_counter()
    done = generate(
        chosen, period, out or Path("reports") / period.label, langs=LANGS[lang], formats=formats,
        allow_empty=allow_empty,
    )  # fmt: skip
    if done is None:
        typer.echo(
            f"portfolio: no data for {period.label} in source {source}; nothing written"
            " (--allow-empty writes the no-data report)",
            err=True,
        )
        raise typer.Exit(1)
    print_summary(*done, time.perf_counter() - started)


def _formats(fmt: str) -> list[Format]:
    if fmt == "all":
        return list(WRITERS)
    if fmt not in WRITERS:
        raise InputError(f"--format must be one of {', '.join(WRITERS)} or all, got {fmt!r}")
    return [fmt]


def demo(
    month: Annotated[str, typer.Option(help="The month to report on (YYYY-MM).")] = "2025-08",
    out: Annotated[Path, typer.Option(help="Reports directory.", file_okay=False)] = Path(
        "reports"
    ),
    db: Annotated[
        Path | None,
        typer.Option(
            help="Store to create (default: OUT/demo.db; replaced if present).", dir_okay=False
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the traffic model.")] = 7,
    design: Annotated[
        str,
        typer.Option(help="The design the month is priced for.", metavar=choices(DEMO_DESIGNS)),
    ] = "original",
) -> None:
    """Simulate two months of the original's traffic into a fresh store, then write the report.

    The month before the target is simulated too, for the report's 前月比. The
    report says in its header that the data is simulated.
    """
    from portfolio.checks.template import cached_assembly
    from portfolio.config import Design
    from portfolio.infra.cost import template_shape

    _choice(design, DEMO_DESIGNS, "--design")
    settings = load_settings()
    period = Period.parse(month, settings.report.timezone)
    path = db or out / "demo.db"
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    store = SQLiteStore(path)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    # The monthly checks need the synthesized templates; the first synth on a machine
    # takes ~20 s in a child process, so it runs while the traffic is simulated.
    with ThreadPoolExecutor(max_workers=1) as pool:
        templates = pool.submit(cached_assembly)
        # The month is priced as `infra cost --design` prices that design's template.
        priced = (
            pool.submit(cached_assembly, design=Design.SERVERLESS)
            if design == "serverless"
            else templates
        )
        source = _simulate_months(store, period, settings, rng, templates, out)
        shape = template_shape(priced.result())
    console.print(
        f"simulated into {path} in {time.perf_counter() - started:.1f} s", highlight=False
    )
    # Only the PDF needs Chromium and the Japanese fonts: without them the demo writes
    # every other format and says how to get the PDF.
    missing = missing_packages()
    formats = [fmt for fmt in WRITERS if not (missing and fmt == "pdf")]
    started = time.perf_counter()
    try:
        done = generate(
            source, period, out / period.label, langs=["ja", "en"], formats=formats,
            design=DEMO_DESIGNS[design], shape=shape,
        )  # fmt: skip
    finally:
        store.close()
    if done is not None:  # always: the demo allows an empty month
        print_summary(*done, time.perf_counter() - started)
    size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    console.print(f"demo store: {path} ({size_mb:.0f} MB; delete it when done)", highlight=False)
    if missing:
        console.print(
            f"no PDF: it needs {', '.join(missing)}; get it with"
            f" `sudo apt-get install {' '.join(missing)}`, then `make demo` again",
            highlight=False,
            soft_wrap=True,  # one line, however narrow the terminal
        )


def _simulate_months(
    store: SQLiteStore,
    period: Period,
    settings: Settings,
    rng: np.random.Generator,
    templates: Future[Assembly],
    out: Path,
) -> LocalSource:
    """The month before (for 前月比) and the target month, each followed by its check runs,
    and the static site's CloudFront logs under OUT/demo-logs/cloudfront."""
    from portfolio.simulate.demo import simulate_demo

    with Progress(
        TextColumn("{task.description}"), BarColumn(),
        TextColumn("{task.completed}/{task.total} days"), TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip

        def track(label: str, target: Period) -> Callable[[date], None]:
            task = progress.add_task(f"simulating {target.label} ({label})", total=len(target.days))
            return lambda _day: progress.advance(task)

        return simulate_demo(
            store, period, settings, rng=rng, assembly=templates.result,
            logs_dir=out / "demo-logs" / "cloudfront", track=track,
        )  # fmt: skip
