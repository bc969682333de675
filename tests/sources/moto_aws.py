"""moto's server, started from the project's venv, and a seeded copy of the portfolio account.

Everything the AWS checks and the AWS source read is created through the real APIs
(boto3 against moto's wire protocol): the VPC, load balancer and target group, the ECS
cluster, task definition and service, the tables with PITR, the buckets, the log group,
the CloudFront distribution, CloudWatch datapoints and Cost Explorer results.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx

from portfolio import names
from tests.server import free_port

REGION = names.DEFAULT_REGION
MONTH_START = datetime(2025, 8, 1, tzinfo=UTC)
HOURS = 6  # seeded hours from 2025-08-10 00:00 UTC (moto scans every datapoint per period)
FIRST_HOUR = datetime(2025, 8, 10, tzinfo=UTC)
REQUESTS_2XX = 900  # per hour
REQUESTS_4XX = 40
REQUESTS_5XX = 6
LATENCY_VALUES = (0.010, 0.020, 0.050, 0.200)  # seconds
LATENCY_COUNTS = (500.0, 300.0, 130.0, 16.0)
COSTS = {
    "Amazon Elastic Container Service": 9.12,
    "Elastic Load Balancing": 18.6,
    "Amazon DynamoDB": 0.42,
    "AmazonCloudWatch": 1.05,
}
PREVIOUS_COSTS = {"Amazon Elastic Container Service": 8.5, "Elastic Load Balancing": 18.6}
ERROR_LINES = 7
SITE_BUCKET = "portfolio-site-test"
LOG_BUCKET = "portfolio-logs-test"
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


def ulid_at(at: datetime, n: int) -> str:
    """A ULID made at ``at`` (Crockford base32 milliseconds, then 16 characters)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    millis, head = int(at.timestamp() * 1000), ""
    for _ in range(10):
        head = alphabet[millis % 32] + head
        millis //= 32
    return head + f"{n:016d}"


def mean_latency_ms() -> float:
    total = sum(v * c for v, c in zip(LATENCY_VALUES, LATENCY_COUNTS, strict=True))
    return 1000 * total / sum(LATENCY_COUNTS)


@dataclass
class Moto:
    endpoint: str
    process: subprocess.Popen[bytes]

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint)  # type: ignore[call-overload]


def start_moto() -> Iterator[Moto]:
    port = free_port()
    binary = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(  # the lock's moto, not a system one
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)
    try:
        yield Moto(endpoint, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def aws_env() -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }
    )
    os.environ.pop("AWS_PROFILE", None)


@dataclass
class Seeded:
    lb_arn: str
    distribution_id: str
    task_role: str


def seed(moto: Moto) -> Seeded:
    ec2 = moto.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"{REGION}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ac")
    ]
    alb_sg = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    # As the stack sets it: the internal ALB admits only CloudFront's origin-facing list.
    [cloudfront] = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [CLOUDFRONT_ORIGIN_FACING]}]
    )["PrefixLists"]
    ec2.authorize_security_group_ingress(
        GroupId=alb_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "PrefixListIds": [{"PrefixListId": cloudfront["PrefixListId"]}],
            }
        ],
    )
    task_sg = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=task_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8000,
                "ToPort": 8000,
                "UserIdGroupPairs": [{"GroupId": alb_sg}],
            }
        ],
    )

    s3 = moto.client("s3")
    for bucket in (LOG_BUCKET, SITE_BUCKET):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
        )
    s3.put_bucket_acl(Bucket=LOG_BUCKET, ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket=SITE_BUCKET,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": LOG_BUCKET, "TargetPrefix": "s3/site/"}
        },
    )

    elbv2 = moto.client("elbv2")
    lb = elbv2.create_load_balancer(
        Name=names.LOAD_BALANCER,
        Subnets=subnets,
        SecurityGroups=[alb_sg],
        Scheme="internal",
        Type="application",
    )["LoadBalancers"][0]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": LOG_BUCKET},
            # As the stack sets it: the ops role may read only under this prefix.
            {"Key": "access_logs.s3.prefix", "Value": names.ALB_LOG_PREFIX},
        ],
    )
    tg = elbv2.create_target_group(
        Name=names.TARGET_GROUP, Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]
    elbv2.register_targets(
        TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "10.40.0.10"}, {"Id": "10.40.1.10"}]
    )

    iam = moto.client("iam")
    role = iam.create_role(
        RoleName="portfolio-task",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    }
                ],
            }
        ),
    )["Role"]
    iam.put_role_policy(
        RoleName="portfolio-task",
        PolicyName="tables",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                        "Resource": [
                            f"arn:aws:dynamodb:{REGION}:123456789012:table/{names.USERS_TABLE}"
                        ],
                    }
                ],
            }
        ),
    )

    ecs = moto.client("ecs")
    ecs.create_cluster(clusterName=names.CLUSTER)
    td = ecs.register_task_definition(
        family="portfolio-api",
        taskRoleArn=role["Arn"],
        networkMode="bridge",
        containerDefinitions=[
            {
                "name": "api",
                "image": "portfolio:test",
                "memory": 512,
                "environment": [{"name": "PORTFOLIO_ENV", "value": "production"}],
                "secrets": [
                    {
                        "name": "PORTFOLIO_API_KEYS",
                        "valueFrom": "arn:aws:secretsmanager:ap-northeast-1:1:secret:k",
                    }
                ],
            }
        ],
    )["taskDefinition"]
    ecs.create_service(
        cluster=names.CLUSTER,
        serviceName=names.SERVICE,
        taskDefinition=td["taskDefinitionArn"],
        desiredCount=names.DESIRED_TASKS,
    )

    dynamodb = moto.client("dynamodb")
    for table in (names.USERS_TABLE, names.METRICS_TABLE):
        dynamodb.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            SSESpecification={"Enabled": True, "SSEType": "KMS"},
        )
        dynamodb.update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    # Users made a day ago (their ULIDs say so), one made just now and two e-mail guard
    # items: the restore test compares the 12 settled users and leaves the rest out.
    day_ago = datetime.now(UTC) - timedelta(days=1)
    for i in range(12):
        user = ulid_at(day_ago + timedelta(seconds=i), i)
        dynamodb.put_item(
            TableName=names.USERS_TABLE, Item={"pk": {"S": f"USER#{user}"}, "sk": {"S": "PROFILE"}}
        )
    dynamodb.put_item(
        TableName=names.USERS_TABLE,
        Item={"pk": {"S": f"USER#{ulid_at(datetime.now(UTC), 99)}"}, "sk": {"S": "PROFILE"}},
    )
    for i in range(2):
        dynamodb.put_item(
            TableName=names.USERS_TABLE, Item={"pk": {"S": f"EMAIL#u{i}@x"}, "sk": {"S": "EMAIL"}}
        )

    logs = moto.client("logs")
    logs.create_log_group(logGroupName=names.LOG_GROUP)
    logs.put_retention_policy(logGroupName=names.LOG_GROUP, retentionInDays=365)
    logs.create_log_stream(logGroupName=names.LOG_GROUP, logStreamName="api/1")
    now_ms = int(time.time() * 1000) - 60_000  # CloudWatch Logs (and moto) refuse old events
    logs.put_log_events(
        logGroupName=names.LOG_GROUP,
        logStreamName="api/1",
        logEvents=[
            {
                "timestamp": now_ms + i,
                "message": "ERROR store call failed" if i < ERROR_LINES else "INFO request served",
            }
            for i in range(20)
        ],
    )

    cloudfront = moto.client("cloudfront", region="us-east-1")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "portfolio-test",
            "Comment": "portfolio static site",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{SITE_BUCKET}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "https-only",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
            "Logging": {
                "Enabled": True,
                "IncludeCookies": False,
                "Bucket": f"{LOG_BUCKET}.s3.amazonaws.com",
                "Prefix": "cloudfront/",
            },
            "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
        }
    )["Distribution"]

    _seed_metrics(moto, lb["LoadBalancerArn"], distribution["Id"])
    _seed_costs(moto)
    return Seeded(lb["LoadBalancerArn"], distribution["Id"], role["Arn"])


def _datum(name: str, dims: dict[str, str], at: datetime, **value: Any) -> dict[str, Any]:
    return {
        "MetricName": name,
        "Timestamp": at,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        **value,
    }


def _distribution(
    name: str,
    dims: dict[str, str],
    at: datetime,
    values: tuple[float, ...],
    counts: tuple[float, ...],
) -> dict[str, Any]:
    """Samples ``values`` (each ``counts`` times) as one statistic set.

    Sent as Values/Counts, moto keeps one datapoint per sample (946 an hour here) and scans
    them all for every period of every query: most of the source tests' time went there.
    A statistic set answers Average, SampleCount, Sum, Minimum and Maximum the same.
    """
    return _datum(
        name,
        dims,
        at,
        StatisticValues={
            "SampleCount": sum(counts),
            "Sum": sum(v * c for v, c in zip(values, counts, strict=True)),
            "Minimum": min(values),
            "Maximum": max(values),
        },
    )


def _seed_metrics(moto: Moto, lb_arn: str, distribution_id: str) -> None:
    cloudwatch = moto.client("cloudwatch")
    alb = {"LoadBalancer": lb_arn.split(":loadbalancer/", 1)[1]}
    ecs = {"ClusterName": names.CLUSTER, "ServiceName": names.SERVICE}
    for h in range(HOURS):
        at = FIRST_HOUR + timedelta(hours=h, minutes=30)
        cloudwatch.put_metric_data(
            Namespace="AWS/ApplicationELB",
            MetricData=[
                _datum("HTTPCode_Target_2XX_Count", alb, at, Value=REQUESTS_2XX),
                _datum("HTTPCode_Target_4XX_Count", alb, at, Value=REQUESTS_4XX),
                _datum("HTTPCode_Target_5XX_Count", alb, at, Value=REQUESTS_5XX),
                _datum("RequestCount", alb, at, Value=REQUESTS_2XX + REQUESTS_4XX + REQUESTS_5XX),
                _datum("HTTPCode_ELB_5XX_Count", alb, at, Value=1),
                _datum("ProcessedBytes", alb, at, Value=1_000_000),
                _distribution("TargetResponseTime", alb, at, LATENCY_VALUES, LATENCY_COUNTS),
            ],
        )
        cloudwatch.put_metric_data(
            Namespace="AWS/ECS",
            MetricData=[
                _datum("CPUUtilization", ecs, at, Value=20.0 + h % 5),
                _datum("MemoryUtilization", ecs, at, Value=41.0),
            ],
        )
        cloudwatch.put_metric_data(
            Namespace="AWS/DynamoDB",
            MetricData=[
                _distribution(
                    "SuccessfulRequestLatency",
                    {"TableName": names.USERS_TABLE, "Operation": "GetItem"},
                    at,
                    (2.0, 4.0),
                    (30.0, 10.0),
                ),
                _datum(
                    "ConsumedReadCapacityUnits", {"TableName": names.USERS_TABLE}, at, Value=20.0
                ),
            ],
        )
    edge = moto.client("cloudwatch", region="us-east-1")
    dist = {"DistributionId": distribution_id, "Region": "Global"}
    for h in range(HOURS):
        at = FIRST_HOUR + timedelta(hours=h, minutes=30)
        edge.put_metric_data(
            Namespace="AWS/CloudFront",
            MetricData=[
                _datum("Requests", dist, at, Value=100.0),
                _datum("BytesDownloaded", dist, at, Value=50_000.0),
                _datum("CacheHitRate", dist, at, Value=90.0),
                _datum("5xxErrorRate", dist, at, Value=1.0),
                _datum("4xxErrorRate", dist, at, Value=2.0),
            ],
        )


def _seed_costs(moto: Moto) -> None:
    def groups(costs: dict[str, float]) -> list[dict[str, Any]]:
        return [
            {"Keys": [service], "Metrics": {"UnblendedCost": {"Amount": str(usd), "Unit": "USD"}}}
            for service, usd in costs.items()
        ]

    result = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": "2025-07-01", "End": "2025-08-01"},
                "Total": {},
                "Groups": groups(PREVIOUS_COSTS),
                "Estimated": False,
            },
            {
                "TimePeriod": {"Start": "2025-08-01", "End": "2025-09-01"},
                "Total": {},
                "Groups": groups(COSTS),
                "Estimated": False,
            },
        ],
        "DimensionValueAttributes": [],
    }
    # Every request with the same parameters gets this result (moto keys it on the body).
    response = httpx.post(
        f"{moto.endpoint}/moto-api/static/ce/cost-and-usage-results", json={"results": [result] * 4}
    )
    response.raise_for_status()


def create_api_function(moto: Moto, name: str, role_arn: str, *, reserved: int) -> None:
    """The serverless design's API function (a stub handler), with reserved concurrency."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    client = moto.client("lambda")
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
        Architectures=["arm64"],
    )
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
