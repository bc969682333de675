"""Build the app: every environment's stacks, cdk-nag, and the acknowledgements."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_cdk import App

from portfolio_infra import nag
from portfolio_infra.serverless_nag import acknowledge_serverless
from portfolio_infra.serverless_stack import ServerlessApiStack
from portfolio_infra.settings import REPO_ROOT, from_context
from portfolio_infra.stacks import ApiStack, WebStack


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context: CDK's recommended feature flags for the installed aws-cdk-lib
    (the set `cdk init` writes). The CDK CLI passes it to the app itself; `portfolio infra
    synth` runs the app without the CLI, so the app reads it too, and both synthesize
    the same templates."""
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return context


def build_app(context: Mapping[str, Any] | None = None, outdir: str | None = None) -> App:
    """The app with all stacks; ``context`` adds to cdk.json's (CLI context wins over both)."""
    app = App(context={**cdk_json_context(), **dict(context or {})}, outdir=outdir)
    for settings in from_context(app.node):
        if settings.design == "serverless":
            serverless = ServerlessApiStack(app, settings=settings)
            web = WebStack(app, settings=settings, api=serverless)
            acknowledge_serverless(serverless)
            _acknowledge_web(web)
            continue
        api = ApiStack(app, settings=settings)
        web = WebStack(app, settings=settings, api=api)  # depends on api: cross-region refs
        _acknowledge_api(api)
        _acknowledge_operations(api)
        _acknowledge_web(web)
    nag.apply_checks(app)
    return app


def _acknowledge_api(stack: ApiStack) -> None:
    service = stack.service
    nag.acknowledge(
        stack.log_archive.bucket,
        "AwsSolutions::AwsSolutions-S1",
        "This is the access-log destination; logging it into itself would loop and"
        " another bucket would only move the finding. Writes are by AWS log delivery.",
    )
    nag.acknowledge(
        stack.cloudfront_origin_facing.lookup,
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "ec2:DescribeManagedPrefixLists has no resource-level permissions; the deploy-time"
        " lookup finds CloudFront's origin-facing prefix list by name, read-only.",
    )
    for handler in nag.aws_custom_resource_handlers(stack):
        nag.acknowledge(
            handler,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
            "service-role/AWSLambdaBasicExecutionRole]",
            "CDK's AwsCustomResource handler writes its own logs with the standard basic"
            " execution policy; it runs only during deployments.",
        )
    nag.acknowledge(
        service.api_keys_secret,
        "AwsSolutions::AwsSolutions-SMG4",
        "API keys are opaque values handed to clients; rotating them needs the clients"
        " to change too, so operators rotate by editing the secret (docs/deploy.md).",
    )
    nag.acknowledge(
        service.cluster,
        "AwsSolutions::AwsSolutions-ECS4",
        "Container Insights bills custom metrics (about $3/month here) against a"
        " $10 budget; the CPU/memory alarms use the free AWS/ECS service metrics and"
        " the running-task alarm uses the target group's healthy host count.",
    )
    nag.acknowledge(
        service.task_definition,
        "AwsSolutions::AwsSolutions-ECS2",
        "The environment holds only non-secret settings (environment name, region,"
        " table names); the API keys come from Secrets Manager as an ECS secret.",
    )
    for table in stack.data.tables.values():
        logical_id = stack.get_logical_id(table.node.default_child)  # type: ignore[arg-type]
        nag.acknowledge(
            service.task_definition.task_role,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/index/*]",
            "The wildcard covers only the global secondary indexes of the task's own"
            " table, which the grant must include for queries on them.",
        )
    nag.acknowledge(
        service.origin_secret,
        "AwsSolutions::AwsSolutions-SMG4",
        "The origin-verify value is shared by CloudFront and the listener rule; rotating"
        " it means redeploying both stacks (docs/deploy.md), which a rotation Lambda"
        " cannot do without a window where CloudFront's requests get 403.",
    )
    execution_role = service.task_definition.execution_role
    if execution_role is not None:
        nag.acknowledge(
            execution_role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions; the image"
            " pull itself is scoped to the image's repository.",
        )


def _acknowledge_operations(stack: ApiStack) -> None:
    ops = stack.operations
    for task_definition in ops.task_definitions.values():
        nag.acknowledge(
            task_definition,
            "AwsSolutions::AwsSolutions-ECS2",
            "The environment holds only non-secret settings (table names, region, the"
            " reports bucket's name and the topic's ARN); the ops jobs use no secret.",
        )
    nag.acknowledge(
        ops.execution_role,
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "ecr:GetAuthorizationToken has no resource-level permissions; the image pull"
        " itself is scoped to the image's repository.",
    )
    role = ops.task_role
    reasons = {
        "Resource::*": "Read-only calls without resource-level permissions (GetMetricData,"
        " GetCostAndUsage, ELB/ECS/EC2/CloudFront/Logs describes, ListAllMyBuckets,"
        " CloudTrail LookupEvents, ECR scan findings, DynamoDB ListTables for the"
        " restore test's sweep of stale scratch tables); each is named with the"
        " check that needs it in portfolio_infra/operations.py.",
        "Resource::arn:<AWS::Partition>:s3:::portfolio-*": "The monthly checks read the"
        " encryption, public-access block and logging of the project's buckets, which CDK"
        " names after the stacks (portfolio-<env>...); read-only.",
        "Resource::arn:<AWS::Partition>:iam::aws:policy/*": "The least-privilege check reads"
        " the AWS managed policies attached to the API task role (GetPolicy/Version).",
        "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/*": "The least-privilege"
        " check reads the customer managed policies attached to the API task role.",
    }
    log_bucket_id = stack.get_logical_id(stack.log_archive.bucket.node.default_child)  # type: ignore[arg-type]
    reasons[f"Resource::<{log_bucket_id}.Arn>/alb/*"] = (
        "The weekly review reads the week's ALB log files for per-endpoint figures;"
        " GetObject under the ALB's prefix only."
    )
    for name in ("checks", "reports"):
        bucket_id = stack.get_logical_id(ops.reports_bucket.node.default_child)  # type: ignore[arg-type]
        reasons[f"Resource::<{bucket_id}.Arn>/{name}/*"] = (
            f"The jobs put their results under {name}/ of the reports bucket; PutObject only."
        )
    cluster_id = stack.get_logical_id(stack.service.cluster.node.default_child)  # type: ignore[arg-type]
    reasons[
        f"Resource::arn:<AWS::Partition>:ecs:{stack.region}:<AWS::AccountId>:"
        f"service/<{cluster_id}>/*"
    ] = "The checks and the report describe the API's service in its cluster (DescribeServices)."
    for table in stack.data.tables.values():
        table_id = stack.get_logical_id(table.node.default_child)  # type: ignore[arg-type]
        reasons[f"Resource::<{table_id}.Arn>/index/*"] = (
            "The report lists users through the table's indexes (Query); a grant on the"
            " table does not cover them."
        )
        reasons[
            f"Resource::arn:<AWS::Partition>:dynamodb:{stack.region}:<AWS::AccountId>:"
            f"table/<{table_id}>-restore-test-*"
        ] = (
            "The restore test restores into a scratch table named <table>-restore-test-<time>,"
            " scans it and deletes it; the name is only known at run time."
        )
    for finding, reason in reasons.items():
        nag.acknowledge(role, f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason)


def _acknowledge_web(stack: WebStack) -> None:
    nag.acknowledge(
        stack.log_archive.bucket,
        "AwsSolutions::AwsSolutions-S1",
        "This is the access-log destination of the site bucket and CloudFront;"
        " logging it into itself would loop.",
    )
    distribution = stack.frontend.distribution
    if not stack.api_origin_https:
        nag.acknowledge(
            distribution,
            "AwsSolutions::AwsSolutions-CFR5",
            "Without context api_domain no certificate can cover the load balancer's own"
            " name, so CloudFront reaches the internal load balancer over HTTP through its"
            " VPC origin, inside the VPC, never across the internet; viewers still use"
            " HTTPS only. With api_domain the origin is HTTPS with TLSv1.2.",
        )
    nag.acknowledge(
        distribution,
        "AwsSolutions::AwsSolutions-CFR4",
        "Without a custom domain the distribution uses the default *.cloudfront.net"
        " certificate, whose minimum protocol CloudFront fixes at TLSv1; with a domain"
        " and an ACM certificate the configured TLSv1.2_2021 policy applies.",
    )
    nag.acknowledge(
        distribution,
        "AwsSolutions::AwsSolutions-CFR1",
        "A public portfolio site meant to be read from anywhere; no geographic limit.",
    )
    nag.acknowledge(
        distribution,
        "AwsSolutions::AwsSolutions-CFR2",
        "A static, read-only site with no forms or origin logic; a WAF web ACL costs"
        " at least $5/month, half the $10 budget, for no attack surface it would cover.",
    )
    for handler in nag.bucket_deployment_handlers(stack):
        nag.acknowledge(
            handler,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
            "service-role/AWSLambdaBasicExecutionRole]",
            "CDK's BucketDeployment handler writes its own logs with the standard basic"
            " execution policy; it runs only during deployments.",
        )
        nag.acknowledge(
            handler,
            "AwsSolutions::AwsSolutions-L1",
            "The runtime of CDK's BucketDeployment handler is chosen and upgraded by"
            " aws-cdk-lib, not by this app.",
        )
        for finding in (
            "Resource::*",
            "Action::s3:GetObject*",
            "Action::s3:GetBucket*",
            "Action::s3:List*",
            "Action::s3:DeleteObject*",
            "Action::s3:Abort*",
            "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-us-east-1/*",
            f"Resource::<{stack.get_logical_id(stack.frontend.bucket.node.default_child)}"  # type: ignore[arg-type]
            ".Arn>/*",
        ):
            nag.acknowledge(
                handler,
                f"AwsSolutions::AwsSolutions-IAM5[{finding}]",
                "CDK's BucketDeployment handler copies the web/ asset from the CDK"
                " assets bucket into the site bucket and invalidates CloudFront; its"
                " grants are CDK's object-level grants on exactly those two buckets.",
            )
