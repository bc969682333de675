"""Cost Explorer: only the project's tagged cost, and a month not settled is shown as such."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
from botocore.stub import ANY, Stubber

from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.report.render.markdown import render_markdown
from portfolio.sources.aws_costs import measured_costs
from portfolio.sources.base import Observations

PERIOD = Period(2025, 8, "Asia/Tokyo")
KEY = "k" * 32


@dataclass
class _CeAws:
    settings: Settings
    ce: Any

    def client(self, service: str, *, region: str | None = None) -> Any:
        assert service == "ce"
        return self.ce


def _result(month: str, end: str, usd: float, *, estimated: bool) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": f"{month}-01", "End": end},
        "Total": {},
        "Groups": [{"Keys": ["AWS Lambda"],
                    "Metrics": {"UnblendedCost": {"Amount": str(usd), "Unit": "USD"}}}],
        "Estimated": estimated,
    }  # fmt: skip


def _read(settings: Settings, expected_filter: dict[str, Any], estimated: bool) -> Any:
    ce = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x",
                      aws_secret_access_key="x")  # fmt: skip
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage",
            {"ResultsByTime": [
                _result("2025-07", "2025-08-01", 3.5, estimated=False),
                _result("2025-08", "2025-09-01", 4.25, estimated=estimated),
            ]},
            {"TimePeriod": {"Start": "2025-07-01", "End": "2025-09-01"},
             "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"],
             "GroupBy": ANY, "Filter": expected_filter},
        )  # fmt: skip
        costs = measured_costs(_CeAws(settings, ce), PERIOD)  # type: ignore[arg-type]
        stub.assert_no_pending_responses()
    return costs


def test_only_the_environments_tagged_cost_is_read() -> None:
    production = Settings(env="production", api_keys=[KEY])
    both = {"And": [
        {"Tags": {"Key": "Environment", "Values": ["production"], "MatchOptions": ["EQUALS"]}},
        {"Tags": {"Key": "Project", "Values": ["portfolio"], "MatchOptions": ["EQUALS"]}},
    ]}  # fmt: skip
    costs = _read(production, both, estimated=False)
    assert costs is not None
    assert [c.usd for c in costs.lines] == [4.25]
    assert costs.estimated is False
    assert "tagged Environment=production, Project=portfolio" in costs.source
    project = {"Tags": {"Key": "Project", "Values": ["portfolio"], "MatchOptions": ["EQUALS"]}}
    assert _read(Settings(), project, estimated=False) is not None


def test_a_month_not_settled_is_shown_estimated() -> None:
    project = {"Tags": {"Key": "Project", "Values": ["portfolio"], "MatchOptions": ["EQUALS"]}}
    costs = _read(Settings(), project, estimated=True)
    assert costs is not None
    assert costs.estimated
    obs = Observations(period=PERIOD, source="AWS test", measured_costs=costs)
    report = compute_report(obs, Settings(), previous=None,
                            now=PERIOD.end + timedelta(hours=3), prices=load_prices())  # fmt: skip
    assert report.costs.estimated is True
    assert report.costs.total_usd == 4.25
    assert "Estimated: Cost Explorer has not settled" in render_markdown(report, "en")
    assert "Estimated: Cost Explorer の当月分" in render_markdown(report, "ja")
    settled = _read(Settings(), project, estimated=False)
    obs = Observations(period=PERIOD, source="AWS test", measured_costs=settled)
    later = compute_report(obs, Settings(), previous=None, now=datetime(2025, 9, 5).astimezone(),
                           prices=load_prices())  # fmt: skip
    assert later.costs.estimated is False
    assert "Estimated:" not in render_markdown(later, "en")
