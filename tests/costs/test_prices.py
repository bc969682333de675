"""The packaged Tokyo price table: complete, sourced, dated."""

from __future__ import annotations

from portfolio.costs import Architecture, UsageProfile, estimate, load_prices


def test_every_row_has_an_aws_source_and_a_date_not_after_the_table() -> None:
    table = load_prices()
    assert table.region == "ap-northeast-1"
    assert table.prices
    for price in table.prices.values():
        assert price.source.startswith("https://aws.amazon.com/")
        assert price.as_of <= table.as_of
        if not price.verified:
            assert price.evidence, f"{price.key}: say why the figure is unverified"


def test_the_table_prices_every_architecture() -> None:
    table = load_prices()
    used: set[str] = set()
    for architecture in Architecture:
        for api_on_cloudfront in (True, False):  # direct API egress bills as data transfer
            profile = UsageProfile(
                custom_metrics=11,
                composite_alarms=1,
                health_checks=1,
                health_check_features=1,
                scheduled_runs_per_month=1,
                api_on_cloudfront=api_on_cloudfront,
            )
            result = estimate(profile, table, architecture)
            used |= {line.price_key for line in result.lines}
            assert result.total_usd > 0
    # Rows kept only to explain design choices are the only unused ones.
    assert set(table.prices) - used == {
        "interface_endpoint_hour",
        "nat_gateway_hour",
        "kms_key_month",
    }


def test_tokyo_public_ipv4_and_alb_hour_are_the_looked_up_figures() -> None:
    table = load_prices()
    assert table.usd("public_ipv4_hour") == 0.005
    assert table.usd("alb_hour") == 0.0243
    assert table.usd("cloudfront_dto_japan_gb") == 0.114
