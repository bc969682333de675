"""Fill the report model from Observations: every figure computed here, once.

One module per section of the original 運用報告書 (summary, ecs, alb, dynamodb,
s3_cloudfront, traffic, performance, incidents, costs, security, work, kpis, review),
assembled by compute. Percentiles are merges of sketches (hourly buckets), so a week,
a day and the month are computed the same way from the same data. Local dates and hours
are in the report's time zone; data is stored in UTC.
"""

from portfolio.report.build.changes import (
    COST_THRESHOLD_PERCENT,
    COST_THRESHOLD_USD,
    Previous,
    build_changes,
)
from portfolio.report.build.compute import build_report, compute_report, has_data
from portfolio.report.build.costs import Shape
from portfolio.report.build.previous import REPORT_JSON, load_previous, previous_json

__all__ = [
    "COST_THRESHOLD_PERCENT",
    "COST_THRESHOLD_USD",
    "REPORT_JSON",
    "Previous",
    "Shape",
    "build_changes",
    "build_report",
    "compute_report",
    "has_data",
    "load_previous",
    "previous_json",
]
