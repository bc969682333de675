"""Cost Explorer as the report's costs: the project's tagged cost, settled or flagged.

- Only this system's cost: GetCostAndUsage is filtered by the cost-allocation tags every
  stack carries (``Project`` = portfolio, and ``Environment`` = the environment outside
  ``local``). Untagged, every service in the account would be billed to the system.
  AWS counts a tag only once it is activated as a cost-allocation tag (docs/deploy.md).
- Cost Explorer's months are UTC and settle a day or more after they end; until then a
  month's result carries ``Estimated``, which the report shows. The report job runs
  when the month has settled, and a re-run replaces its report.
- One request covers the month before and this month (monthly, by SERVICE).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from portfolio import names
from portfolio.cloud import WEB_REGION, Aws, error_code
from portfolio.config import Environment, Settings
from portfolio.errors import SourceError
from portfolio.period import Period
from portfolio.sources.base import CostLine, MeasuredCosts

COST_METRIC = "UnblendedCost"
PROJECT_TAG = "Project"
ENVIRONMENT_TAG = "Environment"


def cost_tags(settings: Settings) -> dict[str, str]:
    """The cost-allocation tags whose cost is this system's (the stacks' own tags)."""
    tags = {PROJECT_TAG: names.PROJECT}
    if settings.env is not Environment.LOCAL:
        tags[ENVIRONMENT_TAG] = settings.env.value
    return tags


def tag_filter(tags: dict[str, str]) -> dict[str, Any]:
    """A Cost Explorer expression matching all the tags (And needs two or more)."""
    each = [{"Tags": {"Key": k, "Values": [v], "MatchOptions": ["EQUALS"]}}
            for k, v in sorted(tags.items())]  # fmt: skip
    return each[0] if len(each) == 1 else {"And": each}


def measured_costs(aws: Aws, period: Period) -> MeasuredCosts | None:
    """The period's and the month before's tagged cost by service; None without the period."""
    ce = aws.client("ce", region=WEB_REGION)
    before = period.previous()
    start, end = date(before.year, before.month, 1), period.next()
    tags = cost_tags(aws.settings)
    kwargs: dict[str, Any] = {
        "TimePeriod": {"Start": start.isoformat(), "End": date(end.year, end.month, 1).isoformat()},
        "Granularity": "MONTHLY",
        "Metrics": [COST_METRIC],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        "Filter": tag_filter(tags),
    }
    by_month: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    estimated: set[str] = set()
    while True:
        try:
            page = ce.get_cost_and_usage(**kwargs)
        except ClientError as err:
            code = error_code(err)
            if code in ("AccessDeniedException", "DataUnavailableException"):
                raise SourceError(f"Cost Explorer GetCostAndUsage refused: {code}") from err
            raise
        for result in page.get("ResultsByTime", []):
            month = str(result["TimePeriod"]["Start"])[:7]
            if result.get("Estimated"):
                estimated.add(month)
            for group in result.get("Groups", []):
                amount = float(group["Metrics"][COST_METRIC]["Amount"])
                by_month[month][str(group["Keys"][0])] += amount
        token = page.get("NextPageToken")
        if not token:
            break
        kwargs["NextPageToken"] = token
    if period.label not in by_month:
        return None

    def lines(month: str) -> list[CostLine]:
        return [CostLine(service=s, usd=usd, basis=f"Cost Explorer {COST_METRIC} {month}")
                for s, usd in sorted(by_month[month].items())]  # fmt: skip

    tagged = ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))
    return MeasuredCosts(
        lines=lines(period.label),
        previous_lines=lines(before.label) if before.label in by_month else None,
        source=f"Cost Explorer GetCostAndUsage ({COST_METRIC} by SERVICE, tagged {tagged},"
        f" {before.label} and {period.label}"
        f"{', ' + period.label + ' Estimated' if period.label in estimated else ''})",
        estimated=period.label in estimated,
    )
