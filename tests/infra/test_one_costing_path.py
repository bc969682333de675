"""One design, one usage, one figure: the report prices a month as `infra cost` does.

The report's estimate gives the measured usage the shape of the design's synthesized
template (``template_shape``), the profile ``infra cost`` prices; a month whose traffic
is ``infra cost``'s default usage is priced to the cent the same, for both designs.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.infra.assembly import Assembly
from portfolio.infra.cost import stack_cost, template_shape
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.sketch import LatencySketch
from portfolio.sources.base import Observations, TrafficBucket


@pytest.mark.parametrize("design", ["original", "serverless"])
def test_the_reports_estimate_is_infra_costs_for_the_same_usage(
    design: str, assembly: Assembly, serverless_assembly: Assembly
) -> None:
    template = assembly if design == "original" else serverless_assembly
    prices = load_prices()
    cost = stack_cost(template, prices)
    usage = cost.profile
    period = Period(2025, 8, "UTC")  # 744 hours: the estimator's month
    assert period.hours == usage.hours_in_month
    count = round(usage.requests_per_month)
    sketch = LatencySketch()
    sketch.add_many(np.full(count, 12.0))
    bucket = TrafficBucket(
        hour=period.start, endpoint="/api/v1/users", status=200, count=count,
        bytes_in=round(count * usage.avg_request_bytes),
        bytes_out=round(count * usage.avg_response_bytes), sketch=sketch,
    )  # fmt: skip
    obs = Observations(period=period, source="local test", traffic=[bucket])
    report = compute_report(obs, Settings(), previous=None, now=period.end + timedelta(days=3),
                            prices=prices, design=cost.architecture,
                            shape=template_shape(template))  # fmt: skip
    assert report.costs.source == "estimate"
    assert report.costs.total_usd == round(cost.estimate.total_usd, 4)
    unshaped = compute_report(obs, Settings(), previous=None, now=period.end + timedelta(days=3),
                              prices=prices, design=cost.architecture)  # fmt: skip
    assert unshaped.costs.total_usd != report.costs.total_usd  # the template's shape matters
