"""The synthesized ops role of each design, bound to the test account's stand-ins.

The template names the resources the jobs touch by reference; the moto run has its own
names for the same things (a per-test reports bucket and topic, the seeded API task
role, the log bucket, the store's prefixed tables in DynamoDB Local). ``ops_world``
finds each in the template by what points at it (the ops job's environment, the task
definition's role, the load balancer's log attribute), never by logical id, and binds
it to the stand-in's name, so the policy resolves to the ARNs the run really touches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portfolio.config import Design
from portfolio.infra.assembly import Assembly
from tests.permissions.arns import Account, Call, Need
from tests.permissions.policy import Policy, Template

BUCKET_ENV = "PORTFOLIO_OPS_REPORTS_BUCKET"
TOPIC_ENV = "PORTFOLIO_OPS_TOPIC_ARN"


@dataclass(frozen=True)
class Stand:
    """The names of the test's stand-ins."""

    reports_bucket: str
    topic_name: str
    api_role: str
    log_bucket: str
    store_prefix: str
    """The store's tables in DynamoDB Local are ``<prefix>-<template's table name>``."""


@dataclass(frozen=True)
class OpsWorld:
    """One design's ops role policy, resolved; the environment its jobs get."""

    design: Design
    template: Template
    policy: Policy
    environment: dict[str, str]
    store_prefix: str

    def as_template_sees(self, call: Call) -> Call:
        """The call with the store's prefixed table names as the template's tables."""
        prefix = f":table/{self.store_prefix}-"
        needs = tuple(
            Need(n.action, n.resource.replace(prefix, ":table/"), n.context) for n in call.needs
        )
        return Call(call.service, call.operation, call.region, needs, call.known)

    def decide(self, call: Call) -> bool:
        return self.policy.decide(self.as_template_sees(call))

    def with_policy(self, policy: Policy) -> OpsWorld:
        return OpsWorld(self.design, self.template, policy, self.environment, self.store_prefix)


def _ref(value: Any) -> str:
    if isinstance(value, Mapping) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, Mapping) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    raise KeyError(f"not a reference: {json.dumps(value)}")


def ops_world(assembly: Assembly, design: Design, stand: Stand, account: Account) -> OpsWorld:
    stack = next(s for s in assembly.stacks if not s.name.endswith("-web"))
    bare = Template(stack.template, stack.region, account)
    holders = [
        *bare.of_type("AWS::ECS::TaskDefinition").items(),
        *bare.of_type("AWS::Lambda::Function").items(),
    ]
    ops = [(lid, p) for lid, p in holders if BUCKET_ENV in bare.environment(lid)]
    ops_id, ops_props = ops[0]
    env = bare.environment(ops_id)
    role_id = _ref(ops_props.get("TaskRoleArn") or ops_props["Role"])
    bindings = {_ref(env[BUCKET_ENV]): stand.reports_bucket, _ref(env[TOPIC_ENV]): stand.topic_name}
    if design is Design.SERVERLESS:
        api_function = _ref(env["PORTFOLIO_API_FUNCTION"])
        api_role = _ref(bare.of_type("AWS::Lambda::Function")[api_function]["Role"])
    else:
        api_task = next(
            p
            for lid, p in bare.of_type("AWS::ECS::TaskDefinition").items()
            if BUCKET_ENV not in bare.environment(lid)
        )
        api_role = _ref(api_task["TaskRoleArn"])
        for lb in bare.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer").values():
            for attribute in lb.get("LoadBalancerAttributes", []):
                if attribute["Key"] == "access_logs.s3.bucket":
                    bindings[_ref(attribute["Value"])] = stand.log_bucket
    bindings[api_role] = stand.api_role
    template = Template(stack.template, stack.region, account, bindings)
    policy = template.role_policy(role_id)
    granted_by_bucket = _web_log_bucket_grants(assembly, role_id, stand, account)
    policy = Policy(policy.statements + granted_by_bucket)
    environment = {
        k: str(template.resolve(v))
        for k, v in env.items()
        if k in ("PORTFOLIO_DESIGN", "PORTFOLIO_API_FUNCTION")
    }
    return OpsWorld(design, template, policy, environment, stand.store_prefix)


def _web_log_bucket_grants(
    assembly: Assembly, role_id: str, stand: Stand, account: Account
) -> tuple[Mapping[str, Any], ...]:
    """The web stack's log bucket policy statements whose principal is the ops role.

    The bucket holding the CloudFront standard logs is the one the distribution logs
    to, bound to the test's log bucket; the principal reaches the web stack through
    CDK's cross-region references, whose reader attribute names the role's logical id
    (``.../<stack><role id>Arn...``). Within one account a bucket policy's Allow grants
    by itself, so these statements join the role's own, less their principal.
    """
    web = next(s for s in assembly.stacks if s.name.endswith("-web"))
    bare = Template(web.template, web.region, account)
    logged_to = {
        _ref(d["DistributionConfig"]["Logging"]["Bucket"])
        for d in bare.of_type("AWS::CloudFront::Distribution").values()
        if "Logging" in d["DistributionConfig"]
    }
    resolved = Template(
        web.template, web.region, account, dict.fromkeys(logged_to, stand.log_bucket)
    )
    statements: list[Mapping[str, Any]] = []
    for policy in bare.of_type("AWS::S3::BucketPolicy").values():
        if _ref(policy["Bucket"]) not in logged_to:
            continue
        for statement in policy["PolicyDocument"]["Statement"]:
            principal = statement.get("Principal", {})
            aws = principal.get("AWS") if isinstance(principal, Mapping) else None
            if aws is None or role_id not in json.dumps(aws):
                continue
            rest = {k: v for k, v in statement.items() if k != "Principal"}
            statements.append(resolved.resolve(rest))
    return tuple(statements)
