"""`portfolio report` and `portfolio demo`: the monthly operations report from measured data."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from portfolio.cli.common import (
    AwsEndpointOption,
    DbOption,
    choices,
    console,
    err_console,
    existing_store,
    load_settings,
    missing_store,
    transient_progress,
)
from portfolio.cli.formats import complete_formats, parse_formats, pdf_plan
from portfolio.cli.series import NotifyOption, archive, write_notice
from portfolio.costs.designs import DESIGN_ARCHITECTURE
from portfolio.costs.estimator import Architecture
from portfolio.period import Period
from portfolio.report import kpis
from portfolio.report.archive import write_archive
from portfolio.report.build import Shape, compute_report, has_data, load_previous
from portfolio.report.model import Report
from portfolio.report.render.text import STATUS_ICON, t
from portfolio.report.write import WRITERS, Format, Language, write_report
from portfolio.simulate.alb import write_alb_log
from portfolio.sources.base import ReportSource, SourceOptions, make_source
from portfolio.sources.local import LocalSource
from portfolio.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from portfolio.config import Settings
    from portfolio.infra.assembly import Assembly

LANGS: dict[str, list[Language]] = {"ja": ["ja"], "en": ["en"], "all": ["ja", "en"]}
Lang = Literal["ja", "en", "all"]
SourceName = Literal["local", "alb-logs", "aws"]
"""The report sources sources/registry.py registers (a test keeps the two the same)."""
DemoDesign = Literal["original", "serverless"]
DemoScenario = Literal["original", "detection"]
"""simulate.scenarios.SCENARIOS' names (a test keeps the two the same), without importing
the simulator for --help."""
DEMO_DESIGNS: dict[str, Architecture] = {d.value: a for d, a in DESIGN_ARCHITECTURE.items()}
"""The designs ``demo --design`` prices the month for (``infra cost --design`` names)."""


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
    settings: Settings | None = None,
    reports_dir: Path | None = None,
) -> tuple[Report, list[Path]] | None:
    """Observe, compute and write, with a progress bar over the steps.

    前月からの変化 reads ``reports_dir/<previous month>/report.json`` when it exists, else
    builds the previous month from ``source`` (report.build.load_previous).

    ``design`` is what the cost estimate prices: by default the design the settings
    deploy (``PORTFOLIO_DESIGN``), as the scheduled report job prices it.

    None, with nothing written, when the month has no data and ``allow_empty`` is off.
    """
    settings = settings or load_settings()
    from portfolio.costs import load_prices

    design = design or DESIGN_ARCHITECTURE[settings.design]

    with transient_progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()
    ) as progress:
        task = progress.add_task(f"report {period.label}: observing", total=5)
        observations = source.observe(period)
        if not allow_empty and not has_data(observations):
            return None
        progress.update(task, advance=1, description=f"report {period.label}: previous month")
        previous = source.observe(period.previous(), traffic_only=True)
        progress.update(task, advance=1, description=f"report {period.label}: last month")
        now, prices = datetime.now(UTC), load_prices()
        last_month = load_previous(
            period, reports_dir=reports_dir, source=source, settings=settings, now=now,
            prices=prices, design=design, shape=shape,
        )  # fmt: skip
        progress.update(task, advance=1, description=f"report {period.label}: computing")
        report = compute_report(
            observations, settings, previous=previous, now=now, prices=prices, design=design,
            shape=shape, previous_month=last_month,
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
        table.add_row(
            t("en", f"k.{kpi.id}"), kpis.plain(kpi.id, kpi.target), kpis.plain(kpi.id, kpi.actual),
            STATUS_ICON[kpi.status.value],
        )  # fmt: skip
    console.print(table)
    for path in written:
        console.print(f"wrote {path}", highlight=False)
    console.print(f"in {seconds:.2f} s", style="dim")


report_app = typer.Typer(
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Write the monthly operations report (運用報告書); `report archive`: the index.",
)


@report_app.callback()
def report(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option(help="YYYY-MM (default: the previous month in the report zone).")
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language.")] = "all",
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            help="File formats: repeat the option or separate by commas (default: all).",
            metavar=choices([*WRITERS, "all"]),
            autocompletion=complete_formats,
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Directory (default: ./reports/YYYY-MM/).", file_okay=False)
    ] = None,
    source: Annotated[SourceName, typer.Option(help="Where the figures come from.")] = "local",
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
    notify: Annotated[str | None, NotifyOption] = None,
) -> None:
    """Write the monthly operations report (運用報告書) of one month from measured data.

    A month with no data writes nothing and exits 1, unless --allow-empty. Without
    Chromium (or its fonts) a PDF asked for by name stops the command before anything
    is written (exit 2); the default (all) writes every other format and says on stderr
    what to install. 前月からの変化 reads the previous month's report.json beside OUT.
    `portfolio report archive` writes the index over every month.
    """
    if ctx.invoked_subcommand is not None:
        return
    formats, pdf_hint = pdf_plan(parse_formats(fmt or ["all"]), explicit=fmt is not None)
    settings = load_settings(store__sqlite_path=db)
    tz = settings.report.timezone
    period = Period.parse(month, tz) if month else Period.previous_to(datetime.now(UTC), tz)
    if (db is not None or source == "local") and missing_store(settings):
        existing_store(settings)  # the one-line refusal, before anything is written
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
    folder = out or Path("reports") / period.label
    done = generate(
        chosen, period, folder, langs=LANGS[lang], formats=formats, allow_empty=allow_empty,
        reports_dir=folder.parent, shape=_synthesized_shape(settings),
    )  # fmt: skip
    if done is None:
        typer.echo(
            f"portfolio: no data for {period.label} in source {source}; nothing written"
            " (--allow-empty writes the no-data report)",
            err=True,
        )
        raise typer.Exit(1)
    print_summary(*done, time.perf_counter() - started)
    write_notice(notify, settings, *done)
    if pdf_hint:
        err_console.print(pdf_hint, highlight=False, soft_wrap=True)


def _synthesized_shape(settings: Settings) -> Shape | None:
    """The deployed design's template shape when its synthesis is on disk (a checkout after
    `portfolio infra synth`, `make demo` or `make test`), so the estimate prices what
    `infra cost` and the demo price: one design at one usage, one figure. Never
    synthesizes (tens of seconds, Node.js); without one, the estimator's defaults."""
    from portfolio.checks.template import synthesized_assembly
    from portfolio.infra.cost import template_shape

    assembly = synthesized_assembly(design=settings.design)
    return None if assembly is None else template_shape(assembly)


report_app.command("archive")(archive)


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
    design: Annotated[DemoDesign, typer.Option(help="The design the month is priced for.")] = (
        "original"
    ),
    scenario: Annotated[
        DemoScenario,
        typer.Option(
            help="original: the original's month (no anomalies); detection: scanners, a"
            " permission change and a finding occur."
        ),
    ] = "original",
    months: Annotated[
        int, typer.Option(min=1, help="Months to simulate and report, ending with --month.")
    ] = 2,
) -> None:
    """Simulate the original's traffic into a fresh store, then write each month's report
    (by default the target and the month before, for 前月比 and 前月からの変化) and the
    archive's index over them. The reports say in their header the data is simulated.
    """
    from portfolio.checks.template import cached_assembly
    from portfolio.config import Design
    from portfolio.infra.cost import template_shape
    from portfolio.simulate.demo import demo_settings

    settings = demo_settings(load_settings(), month)
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
        source = _simulate_months(store, period, settings, rng, templates, out, scenario, months)
        shape = template_shape(priced.result())
    alb_dir = out / "demo-logs" / "alb"
    write_alb_log(store, period.end - timedelta(days=1), alb_dir, rng)
    console.print(
        f"simulated into {path} in {time.perf_counter() - started:.1f} s", highlight=False
    )
    # Only the PDF needs Chromium and the Japanese fonts: without them the demo writes
    # every other format and says how to get the PDF.
    formats, pdf_hint = pdf_plan(list(WRITERS), explicit=False)
    try:
        _demo_reports(source, period, months, out, formats, DEMO_DESIGNS[design], shape,
                      lambda label: demo_settings(load_settings(), label))  # fmt: skip
    finally:
        store.close()
    for index in write_archive(out):
        console.print(f"wrote {index}", highlight=False)
    _demo_epilogue(period, path, out, settings, design, pdf_hint)


def _demo_epilogue(
    period: Period,
    db: Path,
    out: Path,
    settings: Settings,
    design: DemoDesign,
    pdf_hint: str | None,
) -> None:
    """What the demo left and how to use it: the store, the ALB log, the command that
    writes the month again, and how to get the PDF."""
    size_mb = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6
    console.print(f"demo store: {db} ({size_mb:.0f} MB; delete it when done)", highlight=False)
    alb_dir = out / "demo-logs" / "alb"
    console.print(
        f"an ALB access log of {period.label}'s last day to try: portfolio logs summary {alb_dir}",
        highlight=False,
        soft_wrap=True,
    )
    again = _report_again_command(period, db, out, settings, design)
    console.print(
        f"to write {period.label}'s report again from the store: {again}",
        highlight=False,
        soft_wrap=True,
    )
    if pdf_hint:
        console.print(f"{pdf_hint}, then `make demo` again", highlight=False, soft_wrap=True)


def _report_again_command(
    period: Period, db: Path, out: Path, settings: Settings, design: DemoDesign
) -> str:
    """The `portfolio report` that gives the demo's figures from its store: the plan the
    demo applied, the design it priced and the CloudFront logs it wrote are not in the
    store, so the command names them."""
    env = []
    if settings.report.plan_path is not None:
        env.append(f"PORTFOLIO_REPORT__PLAN_PATH={shlex.quote(str(settings.report.plan_path))}")
    if design != "original":
        env.append(f"PORTFOLIO_DESIGN={design}")
    command = [
        "portfolio", "report", "--month", period.label, "--db", shlex.quote(str(db)),
        "--cloudfront-logs", shlex.quote(str(out / "demo-logs" / "cloudfront")),
    ]  # fmt: skip
    return " ".join([*env, *command])


def _demo_reports(
    source: ReportSource, period: Period, months: int, out: Path, formats: list[Format],
    design: Architecture, shape: Shape, settings_of: Callable[[str], Settings],
) -> None:  # fmt: skip
    """Each simulated month's report, oldest first, so each reads the one before's JSON."""
    first = period
    for _ in range(months - 1):
        first = first.previous()
    month = first
    while True:
        started = time.perf_counter()
        done = generate(
            source, month, out / month.label, langs=["ja", "en"], formats=formats, design=design,
            shape=shape, settings=settings_of(month.label), reports_dir=out,
        )  # fmt: skip
        if done is not None:  # always: the demo allows an empty month
            print_summary(*done, time.perf_counter() - started)
        if month.label == period.label:
            return
        month = month.next()


def _simulate_months(
    store: SQLiteStore,
    period: Period,
    settings: Settings,
    rng: np.random.Generator,
    templates: Future[Assembly],
    out: Path,
    scenario: str = "original",
    months: int = 2,
) -> LocalSource:
    """The month before (for 前月比) and the target month, each followed by its check runs,
    and the static site's CloudFront logs under OUT/demo-logs/cloudfront."""
    from portfolio.simulate.demo import simulate_demo
    from portfolio.simulate.scenarios import SCENARIOS

    with Progress(
        TextColumn("{task.description}"), BarColumn(),
        TextColumn("{task.completed}/{task.total} days"), TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip

        def track(label: str, target: Period) -> Callable[[date], None]:
            task = progress.add_task(f"simulating {target.label} ({label})", total=len(target.days))
            return lambda _day: progress.advance(task)

        return simulate_demo(
            store, period, settings, rng=rng, assembly=templates.result,
            logs_dir=out / "demo-logs" / "cloudfront", track=track, scenario=SCENARIOS[scenario],
            months=months,
        )  # fmt: skip
