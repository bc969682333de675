"""The ``aws`` target's monthly collector: the deployed configuration, for the security checks.

IAM, security groups, tables, buckets, distributions and the image scan, read with
describe calls; the restore test restores each table to a scratch table.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from portfolio import names
from portfolio.checks.aws import aws_for
from portfolio.checks.base import Kind
from portfolio.checks.collectors import CheckContext, register_collector, with_audits
from portfolio.checks.restore_dynamodb import restore_test_table
from portfolio.checks.snapshot import (
    BucketConfig,
    ContainerConfig,
    DistributionConfig,
    ImageScan,
    IngressRule,
    LoadBalancerConfig,
    LogGroupConfig,
    MonthlySnapshot,
    PolicyStatement,
    TableConfig,
    policy_statements,
)
from portfolio.cloud import (
    NOT_FOUND,
    WEB_REGION,
    Aws,
    ecs_service,
    error_code,
    load_balancer,
)
from portfolio.config import Design


def _document(raw: Any) -> dict[str, Any]:
    """IAM returns policy documents URL-encoded (the real API) or as a dict (some SDKs)."""
    if isinstance(raw, dict):
        return raw
    parsed: dict[str, Any] = json.loads(unquote(str(raw)))
    return parsed


def task_role_statements(aws: Aws, role_arn: str) -> list[PolicyStatement]:
    iam = aws.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    statements: list[PolicyStatement] = []
    for name in iam.list_role_policies(RoleName=role).get("PolicyNames", []):
        statements += policy_statements(
            _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
        )
    for attached in iam.list_attached_role_policies(RoleName=role).get("AttachedPolicies", []):
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(
            PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
        )
        statements += policy_statements(_document(version["PolicyVersion"]["Document"]))
    return statements


def _containers(task_definition: dict[str, Any]) -> list[ContainerConfig]:
    return [
        ContainerConfig(
            name=f"{task_definition.get('family')}/{c.get('name')}",
            environment=tuple(
                (str(e["name"]), str(e.get("value", ""))) for e in c.get("environment", [])
            ),
            secrets=tuple(str(s["name"]) for s in c.get("secrets", [])),
        )
        for c in task_definition.get("containerDefinitions", [])
    ]


def _ingress(aws: Aws, vpc_id: str | None, lb_groups: set[str]) -> list[IngressRule]:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}] if vpc_id else []
    groups = aws.client("ec2").describe_security_groups(Filters=filters).get("SecurityGroups", [])
    rules = []
    for group in groups:
        for perm in group.get("IpPermissions", []):
            common = {
                "group": f"{group['GroupId']} ({group.get('GroupName', '')})",
                "protocol": str(perm.get("IpProtocol", "-1")),
                "from_port": perm.get("FromPort"),
                "to_port": perm.get("ToPort"),
                "load_balancer_group": group["GroupId"] in lb_groups,
            }
            cidrs = [r["CidrIp"] for r in perm.get("IpRanges", [])]
            cidrs += [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
            cidrs += [f"sg:{p['GroupId']}" for p in perm.get("UserIdGroupPairs", [])]
            cidrs += [f"pl:{p['PrefixListId']}" for p in perm.get("PrefixListIds", [])]
            rules += [IngressRule(cidr=c, **common) for c in cidrs]
    return rules


def _expected_tables(aws: Aws) -> tuple[str, str]:
    """This environment's tables, as its stack names them (Settings.resources)."""
    named = aws.settings.resources
    return named.users_table, named.metrics_table


def _tables(aws: Aws) -> list[TableConfig]:
    dynamodb = aws.client("dynamodb")
    tables = []
    for name in _expected_tables(aws):
        try:
            table = dynamodb.describe_table(TableName=name)["Table"]
            backups = dynamodb.describe_continuous_backups(TableName=name)
        except ClientError as err:
            if error_code(err) in NOT_FOUND:
                continue
            raise
        sse = table.get("SSEDescription") or {}
        if sse.get("Status") in ("ENABLED", "UPDATING") and sse.get("SSEType") == "KMS":
            encryption = "kms"
        else:
            encryption = "aws-owned"
        pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        tables.append(
            TableConfig(
                name=name,
                encryption=encryption,
                pitr=pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
                latest_restorable=pitr.get("LatestRestorableDateTime"),
            )
        )
    return tables


def _bucket(s3: Any, name: str, log_targets: set[str]) -> BucketConfig:
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        encryption = next(
            (r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules), None
        )
    except ClientError as err:
        if error_code(err) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        encryption = None
    try:
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        blocked = all(
            block.get(f) is True
            for f in (
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            )
        )
    except ClientError as err:
        if error_code(err) != "NoSuchPublicAccessBlockConfiguration":
            raise
        blocked = False
    logging = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
    return BucketConfig(
        name=name,
        encryption=encryption,
        public_access_blocked=blocked,
        access_logging=logging is not None,
        receives_logs=name in log_targets,
    )


def _distributions(aws: Aws, log_targets: set[str]) -> list[DistributionConfig]:
    cloudfront = aws.client("cloudfront", region=WEB_REGION)
    listing = cloudfront.list_distributions().get("DistributionList", {})
    result = []
    for summary in listing.get("Items", []) or []:
        if names.PROJECT not in str(summary.get("Comment", "")):
            continue
        config = cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
        behaviors = [config.get("DefaultCacheBehavior", {})]
        behaviors += config.get("CacheBehaviors", {}).get("Items", []) or []
        cert = config.get("ViewerCertificate", {})
        default_cert = bool(cert.get("CloudFrontDefaultCertificate", not cert))
        logging = config.get("Logging", {})
        if logging.get("Enabled"):
            log_targets.add(str(logging.get("Bucket", "")).split(".s3", 1)[0])
        result.append(
            DistributionConfig(
                name=summary["Id"],
                viewer_protocol_policies=tuple(
                    str(b.get("ViewerProtocolPolicy")) for b in behaviors
                ),
                minimum_protocol_version=None
                if default_cert
                else cert.get("MinimumProtocolVersion"),
                default_certificate=default_cert,
                logging=bool(logging.get("Enabled")),
                custom_domain=bool(config.get("Aliases", {}).get("Items")),
            )
        )
    return result


def _image_scan(aws: Aws, service: dict[str, Any] | None) -> ImageScan | None:
    """ECR's scan-on-push findings for the image the service's task definition runs."""
    if service is None:
        return None
    task_definition = aws.client("ecs").describe_task_definition(
        taskDefinition=service["taskDefinition"]
    )["taskDefinition"]
    images = [c.get("image", "") for c in task_definition.get("containerDefinitions", [])]
    parsed = [p for p in (ecr_image(i) for i in images) if p is not None]
    if not parsed:
        return None
    repository, image_id, image = parsed[0]
    try:
        found = aws.client("ecr").describe_image_scan_findings(
            repositoryName=repository, imageId=image_id
        )
    except ClientError as err:
        code = error_code(err)
        if code in (
            "ScanNotFoundException",
            "ImageNotFoundException",
            "RepositoryNotFoundException",
        ):
            return ImageScan(image=image, counts=(), error=code)
        raise
    counts = found.get("imageScanFindings", {}).get("findingSeverityCounts", {})
    order = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")
    return ImageScan(image=image, counts=tuple((s, int(counts.get(s, 0))) for s in order))


def ecr_image(uri: str) -> tuple[str, dict[str, str], str] | None:
    """(repository, imageId, display) of an ECR image URI; None for other registries."""
    host, _, rest = uri.partition("/")
    if ".dkr.ecr." not in host or not rest:
        return None
    if "@" in rest:
        repository, digest = rest.split("@", 1)
        return repository, {"imageDigest": digest}, f"{repository}@{digest[:19]}"
    repository, _, tag = rest.partition(":")
    return repository, {"imageTag": tag or "latest"}, f"{repository}:{tag or 'latest'}"


@register_collector("aws", Kind.MONTHLY)
def monthly(context: CheckContext, at: datetime) -> MonthlySnapshot:
    aws = aws_for(context)
    # The serverless design has no ALB, ECS service or image: nothing of theirs to ask for.
    has_service = context.settings.design is Design.ORIGINAL
    lb = load_balancer(aws) if has_service else None
    log_targets: set[str] = set()
    load_balancers, lb_groups, vpc_id = [], set(), None
    if lb is not None:
        attrs = aws.client("elbv2").describe_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"]
        )
        values = {a["Key"]: a["Value"] for a in attrs.get("Attributes", [])}
        load_balancers.append(
            LoadBalancerConfig(
                name=lb["LoadBalancerName"],
                access_logs=values.get("access_logs.s3.enabled") == "true",
            )
        )
        if values.get("access_logs.s3.bucket"):
            log_targets.add(values["access_logs.s3.bucket"])
        lb_groups = set(lb.get("SecurityGroups", []))
        vpc_id = lb.get("VpcId")
    service = ecs_service(aws) if has_service else None
    statements: list[PolicyStatement] | None = None
    containers: list[ContainerConfig] | None = None
    if service is not None:
        task_definition = aws.client("ecs").describe_task_definition(
            taskDefinition=service["taskDefinition"]
        )["taskDefinition"]
        containers = _containers(task_definition)
        role = task_definition.get("taskRoleArn")
        statements = task_role_statements(aws, role) if role else []
    distributions = _distributions(aws, log_targets)
    s3 = aws.client("s3")
    bucket_names = [
        b["Name"] for b in s3.list_buckets().get("Buckets", []) if names.PROJECT in b["Name"]
    ]
    for name in bucket_names:
        target = (s3.get_bucket_logging(Bucket=name).get("LoggingEnabled") or {}).get(
            "TargetBucket"
        )
        if target:
            log_targets.add(target)
    buckets = [_bucket(s3, name, log_targets) for name in bucket_names]
    groups = aws.client("logs").describe_log_groups(
        logGroupNamePrefix=aws.settings.resources.log_group
    )
    snapshot = MonthlySnapshot(
        at=at,
        source=f"AWS {aws.region}",
        expected_tables=_expected_tables(aws),
        task_role=statements,
        ingress=_ingress(aws, vpc_id, lb_groups) if lb is not None else None,
        tables=_tables(aws),
        buckets=buckets,
        log_groups=[
            LogGroupConfig(
                name=g["logGroupName"],
                kms_key="kmsKeyId" in g,
                retention_days=g.get("retentionInDays"),
            )
            for g in groups.get("logGroups", [])
        ],
        distributions=distributions,
        load_balancers=load_balancers,
        containers=containers,
        restore_window_observable=True,
    )
    snapshot = with_audits(replace(snapshot, image_scan=_image_scan(aws, service)), context)
    if context.restore_results is not None:  # run by the serverless state machine
        snapshot = replace(snapshot, restore_tests=list(context.restore_results))
    elif context.restore_test:
        snapshot = replace(
            snapshot, restore_tests=[restore_test_table(aws, t.name) for t in snapshot.tables or []]
        )
    return snapshot
