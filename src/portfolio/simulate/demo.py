"""What `portfolio demo` does before it writes the report, as one library call.

The CLI and tests/report/test_original_figures.py both run this, so the test
checks the very figures the demo prints. Two months by default — the month before
(for 前月比) and the target month shaped after the original report — or more on
request (`portfolio demo --months N`), each followed by its replayed check runs, then
the static site's CloudFront logs.
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
from portfolio.simulate.model import TrafficModel
from portfolio.simulate.scenarios import (
    ORIGINAL_PLAN,
    ORIGINAL_USERS,
    SCENARIOS,
    Scenario,
    previous_month,
)
from portfolio.sources.local import LocalSource
from portfolio.store.protocols import Store

Month = tuple[str, Period, TrafficModel, int, np.random.Generator]
"""(progress label, month, traffic model, users created, the generator it draws from)."""

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
    months: int = 2,
) -> LocalSource:
    """Fill ``store`` and ``logs_dir``; return the source the demo's report reads.

    ``months`` ending with the target: the target month, the month before (for 前月比) and,
    beyond two, earlier months like the month before. ``months=1`` simulates only the
    target (half the time), for a caller that compares no months. Months before the last
    two draw from a generator spawned off ``rng``'s seed, so the last two months' figures
    are the same whatever ``months`` is.

    The monthly runs carry the IaC scan this machine can run over the synthesized
    templates (cdk-nag always; cfn-lint and checkov when installed).
    """
    scan = None
    plan = _months(period, scenario, months, rng)
    for label, month, model, users, draw in plan:
        on_day = track(label, month) if track is not None else None
        simulate_period(store, month, model, rng=draw, users=users, maintenance=None, on_day=on_day)
        templates = assembly()
        scan = scan or installed_iac_scan(templates, find_app().parent.parent)
        target = month == period
        record_simulated_checks(store, month, settings, templates, iac_scan=scan,
                                open_ssh=scenario.open_ssh and target)  # fmt: skip
    for stale in logs_dir.glob("*.gz"):
        stale.unlink()
    for _, month, _, _, draw in plan:
        write_cloudfront_logs(logs_dir, month, draw)
    return LocalSource(
        store,
        cloudfront_logs=(str(logs_dir),),
        max_units_per_s=(settings.store.max_read_units_per_s, settings.store.max_write_units_per_s),
    )


def _months(
    period: Period, scenario: Scenario, months: int, rng: np.random.Generator
) -> list[Month]:
    """The months to simulate, oldest first; the earliest ones on a spawned generator."""
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    plan: list[Month] = [("target month", period, scenario.model, ORIGINAL_USERS, rng)]
    month = period
    for n in range(1, months):
        month = month.previous()
        draw = rng if n == 1 else np.random.default_rng([*_seed_words(rng), n])
        label = "previous month" if n == 1 else f"{n} months before"
        plan.insert(0, (label, month, previous_month(), 0, draw))
    return plan


def _seed_words(rng: np.random.Generator) -> list[int]:
    """The words ``rng`` was seeded from (not its state): a fixed base for the early months."""
    seq = rng.bit_generator.seed_seq
    entropy = getattr(seq, "entropy", None)
    if isinstance(entropy, int):
        return [entropy]
    return list(entropy) if entropy is not None else [0]
