"""Fill the report model from Observations: every figure computed here, once.

One module per section of the original 運用報告書 (summary, ecs, alb, dynamodb,
s3_cloudfront, traffic, performance, incidents, costs, security, work, kpis, review),
assembled by compute. Percentiles are merges of sketches (hourly buckets), so a week,
a day and the month are computed the same way from the same data. Local dates and hours
are in the report's time zone; data is stored in UTC.
"""

from portfolio.report.build.compute import build_report, compute_report, has_data
from portfolio.report.build.costs import Shape

__all__ = ["Shape", "build_report", "compute_report", "has_data"]
