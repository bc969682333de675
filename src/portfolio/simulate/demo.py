"""What `portfolio demo` does before it writes the report, as one library call.

The CLI and tests/report/test_original_figures.py both run this, so the test
checks the very figures the demo prints. Two months are simulated — the month
before (for 前月比) and the target month shaped after the original report —
each followed by its replayed check runs, then the static site's CloudFront logs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from portfolio.checks.audits import installed_iac_scan
from portfolio.config import Settings
from portfolio.infra.assembly import Assembly, find_app
from portfolio.period import Period
from portfolio.report.fmt import ORIGINAL_MONTH as ORIGINAL_MONTH_LABEL
from portfolio.simulate.checks import record_simulated_checks
from portfolio.simulate.cloudfront import write_cloudfront_logs
from portfolio.simulate.generate import simulate_period
from portfolio.simulate.scenarios import (
    ORIGINAL_PLAN,
    ORIGINAL_USERS,
    SCENARIOS,
    Scenario,
    previous_month,
)
from portfolio.sources.local import LocalSource
from portfolio.store.protocols import Store

Track = Callable[[str, Period], Callable[[date], None] | None]
"""Given (label, month), the per-day callback of a progress display (or None)."""


def demo_settings(settings: Settings, month: str) -> Settings:
    """The demo's settings: for the original's month, the original's own plan (its 課題,
    次期 and the proposals no rule makes), unless the operator named a plan."""
    if settings.report.plan_path is not None or month != ORIGINAL_MONTH_LABEL:
        return settings
    report = settings.report.model_copy(update={"plan_path": ORIGINAL_PLAN})
    return settings.model_copy(update={"report": report})


def simulate_demo(
    store: Store,
    period: Period,
    settings: Settings,
    *,
    rng: np.random.Generator,
    assembly: Callable[[], Assembly],
    logs_dir: Path,
    track: Track | None = None,
    scenario: Scenario = SCENARIOS["original"],
    month_before: bool = True,
) -> LocalSource:
    """Fill ``store`` and ``logs_dir``; return the source the demo's report reads.

    The monthly runs carry the IaC scan this machine can run over the synthesized
    templates (cdk-nag always; cfn-lint and checkov when installed). Without
    ``month_before`` only the target month is simulated (half the time), for a caller
    that compares no months.
    """
    scan = None
    months = [("target month", period, scenario.model, ORIGINAL_USERS)]
    if month_before:
        months.insert(0, ("previous month", period.previous(), previous_month(), 0))
    for label, month, model, users in months:
        on_day = track(label, month) if track is not None else None
        simulate_period(store, month, model, rng=rng, users=users, maintenance=None, on_day=on_day)
        templates = assembly()
        scan = scan or installed_iac_scan(templates, find_app().parent.parent)
        target = month == period
        record_simulated_checks(store, month, settings, templates, iac_scan=scan,
                                open_ssh=scenario.open_ssh and target)  # fmt: skip
    for stale in logs_dir.glob("*.gz"):
        stale.unlink()
    for _, month, _, _ in months:
        write_cloudfront_logs(logs_dir, month, rng)
    return LocalSource(
        store,
        cloudfront_logs=(str(logs_dir),),
        max_units_per_s=(settings.store.max_read_units_per_s, settings.store.max_write_units_per_s),
    )
