"""The Athena table over the stack's ALB logs: its real prefix and projection by day."""

from __future__ import annotations

import re

from portfolio import names
from portfolio.checks.template import cached_assembly
from portfolio.sources import alb_format as fmt


def test_the_ddl_projects_one_partition_per_day_of_the_albs_folders() -> None:
    location = fmt.alb_log_location("logs-bucket", "123456789012", "ap-northeast-1")
    assert location == (
        "s3://logs-bucket/alb/AWSLogs/123456789012/elasticloadbalancing/ap-northeast-1/"
    )
    ddl = fmt.athena_ddl(location)
    assert "PARTITIONED BY (day STRING)" in ddl
    properties = dict(
        re.findall(r"'(projection\.[\w.]+|storage\.location\.template)' = '([^']*)'", ddl)
    )
    assert properties["projection.enabled"] == "true"
    assert properties["projection.day.type"] == "date"
    assert properties["projection.day.format"] == "yyyy/MM/dd"  # ALB's yyyy/mm/dd folders
    assert properties["projection.day.interval.unit"] == "DAYS"
    assert properties["storage.location.template"] == location + "${day}"


def test_the_queries_prune_to_the_months_days() -> None:
    queries = fmt.athena_queries(start="2025-08-01T00:00:00Z", end="2025-09-01T00:00:00Z")
    for sql in queries.values():
        if "FROM alb_logs" in sql:
            assert "day BETWEEN '2025/08/01' AND '2025/09/01'" in sql


def test_the_prefix_is_the_one_the_stack_gives_the_alb() -> None:
    [alb] = cached_assembly().of_type("AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in alb.properties["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.prefix"] == names.ALB_LOG_PREFIX
