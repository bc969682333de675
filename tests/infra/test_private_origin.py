"""The API behind CloudFront, reached privately (issue 21, item 4).

CloudFront reaches an internal load balancer through a VPC origin; the load balancer
sits in subnets with no route to the internet gateway and admits only CloudFront's
origin-facing prefix list; no security group of any stack, in any variant, admits
0.0.0.0/0 or ::/0.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from portfolio.checks.template import snapshot_from_assembly
from portfolio.infra.assembly import Assembly, Resource, StackTemplate
from portfolio.infra.cost import profile_from_assembly
from tests.infra.conftest import API_DOMAIN

PUBLIC = ("0.0.0.0/0", "::/0")
ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


def _ref(value: Any) -> str | None:
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return None


def _ingress_rules(stack: StackTemplate) -> list[tuple[str | None, dict[str, Any]]]:
    """(security group logical id, rule) for inline and separate ingress rules."""
    rules: list[tuple[str | None, dict[str, Any]]] = []
    for group in stack.of_type("AWS::EC2::SecurityGroup"):
        for rule in group.properties.get("SecurityGroupIngress", []):
            rules.append((group.logical_id, dict(rule)))
    for rule in stack.of_type("AWS::EC2::SecurityGroupIngress"):
        rules.append((_ref(rule.properties["GroupId"]), dict(rule.properties)))
    return rules


def _api(assembly: Assembly) -> StackTemplate:
    return next(s for s in assembly.stacks if not s.name.endswith("-web"))


def _web(assembly: Assembly) -> StackTemplate:
    return next(s for s in assembly.stacks if s.name.endswith("-web"))


def _load_balancer(stack: StackTemplate) -> Resource:
    [lb] = stack.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer")
    return lb


@pytest.fixture(params=["default", "https", "serverless"])
def variant(
    request: pytest.FixtureRequest,
    assembly: Assembly,
    https_assembly: Assembly,
    serverless_assembly: Assembly,
) -> Assembly:
    return {"default": assembly, "https": https_assembly, "serverless": serverless_assembly}[
        request.param
    ]


def test_no_security_group_admits_the_internet(variant: Assembly) -> None:
    for stack in variant.stacks:
        for group, rule in _ingress_rules(stack):
            source = rule.get("CidrIp") or rule.get("CidrIpv6")
            assert source not in PUBLIC, f"{stack.name} {group} admits {source}: {rule}"


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_the_load_balancer_is_internal_in_subnets_without_a_route_to_the_internet(
    assembly: Assembly, https_assembly: Assembly, https: bool
) -> None:
    stack = _api(https_assembly if https else assembly)
    lb = _load_balancer(stack).properties
    assert lb["Scheme"] == "internal"
    routed_to_gateway = {
        _ref(association.properties["SubnetId"])
        for route in stack.of_type("AWS::EC2::Route")
        if "GatewayId" in route.properties
        for association in stack.of_type("AWS::EC2::SubnetRouteTableAssociation")
        if _ref(association.properties["RouteTableId"]) == _ref(route.properties["RouteTableId"])
    }
    subnets = {_ref(s) for s in lb["Subnets"]}
    assert len(subnets) == 2
    assert not subnets & routed_to_gateway, "the load balancer's subnets reach the internet"


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_the_load_balancer_admits_only_cloudfronts_origin_facing_prefix_list(
    assembly: Assembly, https_assembly: Assembly, https: bool
) -> None:
    stack = _api(https_assembly if https else assembly)
    [group] = [_ref(g) for g in _load_balancer(stack).properties["SecurityGroups"]]
    rules = [rule for owner, rule in _ingress_rules(stack) if owner == group]
    assert {r["FromPort"] for r in rules} == ({80, 443} if https else {80})
    lookups = {
        r.logical_id: json.loads(r.properties["Create"])
        for r in stack.resources()
        if r.type == "Custom::AWS"
    }
    for rule in rules:
        assert set(rule) & {"CidrIp", "CidrIpv6", "SourceSecurityGroupId"} == set()
        lookup = lookups[_ref(rule["SourcePrefixListId"]) or ""]
        assert lookup["action"] == "describeManagedPrefixLists"
        [wanted] = lookup["parameters"]["Filters"]
        assert wanted == {"Name": "prefix-list-name", "Values": [ORIGIN_FACING]}
        assert rule["SourcePrefixListId"]["Fn::GetAtt"][1] == "PrefixLists.0.PrefixListId"


def _api_origin(web: StackTemplate) -> dict[str, Any]:
    config = web.of_type("AWS::CloudFront::Distribution")[0].properties["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    [target] = {
        b["TargetOriginId"] for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"
    }
    return dict(origins[target])


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_the_distribution_reaches_the_api_through_a_vpc_origin_to_the_load_balancer(
    assembly: Assembly, https_assembly: Assembly, https: bool
) -> None:
    web = _web(https_assembly if https else assembly)
    origin = _api_origin(web)
    assert "CustomOriginConfig" not in origin
    vpc_origins = {r.logical_id: r.properties for r in web.of_type("AWS::CloudFront::VpcOrigin")}
    endpoint = vpc_origins[_ref(origin["VpcOriginConfig"]["VpcOriginId"]) or ""]
    config = endpoint["VpcOriginEndpointConfig"]
    # The internal load balancer's ARN, from the API stack (cross-region reference).
    assert "RefServiceLoadBalancer" in json.dumps(config["Arn"])
    assert config["OriginProtocolPolicy"] == ("https-only" if https else "http-only")
    if https:  # the name the listener's certificate covers
        assert origin["DomainName"] == API_DOMAIN
    headers = {h["HeaderName"]: h["HeaderValue"] for h in origin["OriginCustomHeaders"]}
    assert headers["X-Origin-Verify"].startswith("{{resolve:secretsmanager:portfolio/")


def test_an_internal_load_balancer_holds_no_public_ipv4_address(assembly: Assembly) -> None:
    profile, _ = profile_from_assembly(assembly)
    assert profile.alb_public_ipv4 == 0
    assert profile.task_public_ipv4  # egress without a NAT gateway; inbound closed above


def test_the_monthly_checks_read_the_prefix_list_rule_from_the_templates(
    assembly: Assembly,
) -> None:
    snapshot = snapshot_from_assembly(assembly, at=datetime(2025, 8, 31, tzinfo=UTC))
    ingress = snapshot.ingress or []
    from_cloudfront = [r for r in ingress if r.load_balancer_group]
    assert from_cloudfront
    [lookup] = [r.logical_id for r in _api(assembly).resources() if r.type == "Custom::AWS"]
    assert {r.cidr for r in from_cloudfront} == {f"pl:{lookup}"}
    assert not [r for r in ingress if r.cidr in PUBLIC]
