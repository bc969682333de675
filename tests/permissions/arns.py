"""The IAM action and resource ARNs of one AWS API call, by the Service Authorization Reference.

Each rule turns a call's parameters into what IAM authorizes: the action (most are the
operation's name; S3's are not always) and the ARN of every resource the action is
checked against, in the service's documented format
(https://docs.aws.amazon.com/service-authorization/latest/reference/). Actions without
resource-level permissions are authorized against ``*``. A call no rule knows is kept
with ``known=False``: the permissions test fails on it rather than guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Account:
    """The account the ARNs are built in (moto's default account; the tests' region)."""

    id: str = "123456789012"
    partition: str = "aws"


@dataclass(frozen=True)
class Need:
    """One (action, resource) pair IAM evaluates, with the request's condition keys."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Call:
    """One API call: where it went and every (action, resource) it needs."""

    service: str
    operation: str
    region: str
    needs: tuple[Need, ...]
    known: bool = True

    @property
    def action(self) -> str:
        return self.needs[0].action

    @property
    def resources(self) -> tuple[str, ...]:
        return tuple(n.resource for n in self.needs)

    def __str__(self) -> str:
        return "; ".join(f"{n.action} on {n.resource}" for n in self.needs)


IAM_PREFIX = {"monitoring": "cloudwatch"}
"""botocore signing names that differ from the IAM service prefix."""

S3_ACTIONS = {
    "HeadObject": "GetObject",
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
    "ListBuckets": "ListAllMyBuckets",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "AbortMultipartUpload": "AbortMultipartUpload",
}
"""S3 operations authorized by an action of another name (the reference's own table)."""

FREE = frozenset({"sts:GetCallerIdentity"})
"""Calls that need no permission at all."""


@dataclass(frozen=True)
class Where:
    """What a rule needs besides the parameters: region, account and partition."""

    region: str
    account: Account

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                self.account.partition,
                service,
                self.region if region else "",
                self.account.id if account else "",
                resource,
            ]
        )


Rule = Callable[[Mapping[str, Any], Where], list[str]]


def _any(_: Mapping[str, Any], __: Where) -> list[str]:
    return ["*"]


def _table(p: Mapping[str, Any], w: Where) -> list[str]:
    name = str(p["TableName"])
    if name.startswith("arn:"):
        return [name]
    if p.get("IndexName"):
        return [w.arn("dynamodb", f"table/{name}/index/{p['IndexName']}")]
    return [w.arn("dynamodb", f"table/{name}")]


def _request_tables(p: Mapping[str, Any], w: Where) -> list[str]:
    return [w.arn("dynamodb", f"table/{t}") for t in p["RequestItems"]]


def _s3_object(p: Mapping[str, Any], w: Where) -> list[str]:
    return [w.arn("s3", f"{p['Bucket']}/{p['Key']}", region=False, account=False)]


def _s3_bucket(p: Mapping[str, Any], w: Where) -> list[str]:
    return [w.arn("s3", str(p["Bucket"]), region=False, account=False)]


def _log_group(p: Mapping[str, Any], w: Where) -> list[str]:
    name = str(p.get("logGroupName") or p.get("logGroupIdentifier"))
    if name.startswith("arn:"):
        return [name]
    return [w.arn("logs", f"log-group:{name}:*")]


def _ecs_services(p: Mapping[str, Any], w: Where) -> list[str]:
    cluster = str(p.get("cluster", "default")).rsplit("/", 1)[-1]
    return [
        s if str(s).startswith("arn:") else w.arn("ecs", f"service/{cluster}/{s}")
        for s in p["services"]
    ]


def _iam_role(p: Mapping[str, Any], w: Where) -> list[str]:
    return [w.arn("iam", f"role/{p['RoleName']}", region=False)]


def _iam_policy(p: Mapping[str, Any], _: Where) -> list[str]:
    return [str(p["PolicyArn"])]


def _function(p: Mapping[str, Any], w: Where) -> list[str]:
    name = str(p["FunctionName"])
    return [name if name.startswith("arn:") else w.arn("lambda", f"function:{name}")]


def _topic(p: Mapping[str, Any], _: Where) -> list[str]:
    return [str(p["TopicArn"])]


def _secret(p: Mapping[str, Any], w: Where) -> list[str]:
    secret = str(p["SecretId"])
    # A secret's ARN ends in six random characters after its name.
    return [
        secret if secret.startswith("arn:") else w.arn("secretsmanager", f"secret:{secret}-??????")
    ]


def _distribution(p: Mapping[str, Any], w: Where) -> list[str]:
    return [w.arn("cloudfront", f"distribution/{p['Id']}", region=False)]


def _repository(p: Mapping[str, Any], w: Where) -> list[str]:
    return [w.arn("ecr", f"repository/{p['repositoryName']}")]


RULES: dict[str, Rule] = {
    **{
        f"dynamodb:{op}": _table
        for op in (
            "DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive", "DeleteTable",
            "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "CreateTable",
        )
    },
    "dynamodb:BatchGetItem": _request_tables,
    "dynamodb:BatchWriteItem": _request_tables,
    "dynamodb:ListTables": _any,
    "s3:PutObject": _s3_object,
    "s3:GetObject": _s3_object,
    "s3:AbortMultipartUpload": _s3_object,
    "s3:ListBucket": _s3_bucket,
    "s3:GetEncryptionConfiguration": _s3_bucket,
    "s3:GetBucketPublicAccessBlock": _s3_bucket,
    "s3:GetBucketLogging": _s3_bucket,
    "s3:GetBucketAcl": _s3_bucket,
    "s3:GetBucketPolicy": _s3_bucket,
    "s3:GetBucketVersioning": _s3_bucket,
    "s3:ListAllMyBuckets": _any,
    "sns:Publish": _topic,
    "logs:FilterLogEvents": _log_group,
    "logs:DescribeLogGroups": _any,
    "ecs:DescribeServices": _ecs_services,
    "ecs:DescribeTaskDefinition": _any,
    "iam:ListRolePolicies": _iam_role,
    "iam:GetRolePolicy": _iam_role,
    "iam:ListAttachedRolePolicies": _iam_role,
    "iam:GetPolicy": _iam_policy,
    "iam:GetPolicyVersion": _iam_policy,
    "lambda:GetFunction": _function,
    "lambda:GetFunctionConcurrency": _function,
    "lambda:GetAccountSettings": _any,
    "secretsmanager:GetSecretValue": _secret,
    "secretsmanager:DescribeSecret": _secret,
    "cloudfront:ListDistributions": _any,
    "cloudfront:GetDistributionConfig": _distribution,
    "cloudfront:GetDistribution": _distribution,
    "ecr:DescribeImages": _repository,
    "ecr:DescribeImageScanFindings": _repository,
    **{
        f"elasticloadbalancing:{op}": _any
        for op in (
            "DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeTargetGroups",
            "DescribeTargetHealth", "DescribeListeners", "DescribeRules",
        )
    },
    "ec2:DescribeSecurityGroups": _any,
    "cloudwatch:GetMetricData": _any,
    "cloudwatch:GetMetricStatistics": _any,
    "ce:GetCostAndUsage": _any,
    "route53:ListHealthChecks": _any,
    "cloudtrail:LookupEvents": _any,
    "sts:GetCallerIdentity": _any,
}  # fmt: skip

RESTORE_TARGET_ACTIONS = (
    "PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan", "BatchWriteItem",
)  # fmt: skip
"""RestoreTableToPointInTime also needs these on the table it creates (DynamoDB guide,
"IAM policy to restore a table")."""


def build_call(
    signing_name: str, operation: str, params: Mapping[str, Any], *, region: str, account: Account
) -> Call:
    """The call's needs; an operation no rule covers is ``known=False`` with ``*``."""
    prefix = IAM_PREFIX.get(signing_name, signing_name)
    name = S3_ACTIONS.get(operation, operation) if prefix == "s3" else operation
    action = f"{prefix}:{name}"
    where = Where(region, account)
    if action == "dynamodb:RestoreTableToPointInTime":
        source = _table({"TableName": params["SourceTableName"]}, where)[0]
        target = _table({"TableName": params["TargetTableName"]}, where)[0]
        needs = [Need(action, source)] + [
            Need(f"dynamodb:{a}", target) for a in RESTORE_TARGET_ACTIONS
        ]
        return Call(prefix, operation, region, tuple(needs))
    rule = RULES.get(action)
    if rule is None:
        return Call(prefix, operation, region, (Need(action, "*"),), known=False)
    context: tuple[tuple[str, str], ...] = ()
    if action == "s3:ListBucket" and "Prefix" in params:
        context = (("s3:prefix", str(params["Prefix"])),)
    needs = tuple(Need(action, arn, context) for arn in rule(params, where))
    return Call(prefix, operation, region, needs)
