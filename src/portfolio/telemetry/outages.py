"""Outages read from the prober's results: runs of failed probes.

The status page (on the API's request path) and the monthly report find outages the
same way; this module holds that rule apart from the report package, so the API's
cold start does not import the report builder to serve ``/status``.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel

from portfolio.store.records import ProbeResult


class Outage(BaseModel):
    start: datetime
    end: datetime
    minutes: float
    failed_probes: int


def probe_interval_seconds(probes: Sequence[ProbeResult]) -> float | None:
    """The prober's interval, as the median gap between consecutive probes."""
    if len(probes) < 2:
        return None
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(probes)]
    return statistics.median(gaps)


def find_outages(probes: Sequence[ProbeResult], *, min_minutes: float) -> list[Outage]:
    """Runs of failed probes lasting at least ``min_minutes`` are outages.

    An outage runs from its first failed probe to the first successful probe after
    it (or the last failed probe plus one interval when none followed), so its
    length is what a person watching the prober would have seen.
    """
    interval = probe_interval_seconds(probes) or 60.0
    outages: list[Outage] = []
    run: list[ProbeResult] = []

    def close(until: datetime) -> None:
        if not run:
            return
        minutes = (until - run[0].at).total_seconds() / 60
        if minutes >= min_minutes:
            outages.append(
                Outage(
                    start=run[0].at, end=until, minutes=round(minutes, 2), failed_probes=len(run)
                )
            )

    for probe in probes:
        if probe.ok:
            close(probe.at)
            run = []
        else:
            run.append(probe)
    if run:
        close(run[-1].at + timedelta(seconds=interval))
    return outages
