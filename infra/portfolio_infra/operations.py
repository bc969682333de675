"""Operations: the checks and the monthly report, run by the stack on a schedule.

EventBridge Scheduler (cron in Asia/Tokyo) starts the service's own image as a one-off
Fargate task per job, ``portfolio ops run <job>``: the daily check, the weekly review,
the monthly checks (on the month's last day, so they count for the month they cover)
and the monthly report of the previous month (on the 3rd, once Cost Explorer has
settled). Each records into the DynamoDB store, writes its results to the reports
bucket (versioned, encrypted) and publishes a summary to the alarm topic, which e-mail
subscribes to.

The ops task has a role of its own, separate from the API's: read-only everywhere but
the few writes it needs, each statement named after the calls that need it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Arn, ArnComponents, ArnFormat, Duration, RemovalPolicy, Stack, TimeZone
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from portfolio import names

OPS_TIME_ZONE = TimeZone.ASIA_TOKYO
BUCKET_ENV = "PORTFOLIO_OPS_REPORTS_BUCKET"
TOPIC_ENV = "PORTFOLIO_OPS_TOPIC_ARN"


@dataclass(frozen=True, slots=True)
class Job:
    """One scheduled job: its ``portfolio ops run`` name and when it runs (Tokyo time)."""

    name: str
    minute: str
    hour: str
    day: str | None = None
    week_day: str | None = None
    description: str = ""

    @property
    def command(self) -> list[str]:
        return ["portfolio", "ops", "run", self.name]

    def expression(self) -> scheduler.ScheduleExpression:
        return scheduler.ScheduleExpression.cron(
            minute=self.minute,
            hour=self.hour,
            day=self.day,
            week_day=self.week_day,
            time_zone=OPS_TIME_ZONE,
        )


JOBS: tuple[Job, ...] = (
    Job("daily", "0", "9", description="Daily check (日次点検), every day 09:00 JST"),
    Job("weekly", "30", "9", week_day="MON", description="Weekly review, Mondays 09:30 JST"),
    Job("monthly", "0", "10", day="L", description="Monthly checks, the month's last day 10:00"),
    # Cost Explorer's months are UTC and settle a day or more after they end: the 3rd
    # 12:00 JST is 03:00 UTC, two days on. Should the month still be Estimated, the report
    # says so, and a re-run (`portfolio ops run report`) replaces it under the same keys.
    Job("report", "0", "12", day="3", description="Monthly report of last month, the 3rd 12:00"),
)


class Operations(Construct):
    """Reports bucket, ops role, one task definition and one schedule per job."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ecs.ICluster,
        vpc: ec2.IVpc,
        image: ecs.ContainerImage,
        environment: Mapping[str, str],
        tables: Sequence[dynamodb.ITable],
        topic: sns.ITopic,
        access_log_bucket: s3.IBucket,
        api_log_group: logs.ILogGroup,
        api_task_role: iam.IRole,
        log_retention_days: int,
        name: str = "",
    ) -> None:
        super().__init__(scope, construct_id)
        suffix = f"-{name}" if name else ""
        stack = Stack.of(self)

        self.reports_bucket = reports_bucket(self, access_log_bucket)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="portfolio ops tasks: no inbound, out only HTTPS to AWS APIs",
            allow_all_outbound=False,
        )
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to the AWS APIs the jobs read"
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/ecs/portfolio-ops{suffix}",
            removal_policy=RemovalPolicy.RETAIN,
        )
        cfn_log_group = self.log_group.node.default_child
        assert isinstance(cfn_log_group, logs.CfnLogGroup)  # noqa: S101 - CDK's own child
        cfn_log_group.retention_in_days = log_retention_days

        self.task_role = iam.Role(
            self,
            "TaskRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="portfolio ops jobs: read the account, write the ops log and reports",
        )
        for statement in ops_statements(
            stack,
            tables=tables,
            reports_bucket=self.reports_bucket,
            access_log_bucket=access_log_bucket,
            topic=topic,
            api_log_group=api_log_group,
            api_task_role=api_task_role,
            cluster=cluster,
        ):
            self.task_role.add_to_principal_policy(statement)
        self.execution_role = iam.Role(
            self,
            "ExecutionRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="portfolio ops jobs: pull the image, write the task's logs",
        )

        job_environment = {
            **environment,
            BUCKET_ENV: self.reports_bucket.bucket_name,
            TOPIC_ENV: topic.topic_arn,
        }
        self.task_definitions: dict[str, ecs.FargateTaskDefinition] = {}
        self.schedules: dict[str, scheduler.Schedule] = {}
        for job in JOBS:
            task_definition = ecs.FargateTaskDefinition(
                self,
                f"{job.name.capitalize()}Task",
                family=f"portfolio-ops-{job.name}{suffix}",
                cpu=256,
                memory_limit_mib=1024,  # the report holds a month of rollups in memory
                task_role=self.task_role,
                execution_role=self.execution_role,
                runtime_platform=ecs.RuntimePlatform(
                    cpu_architecture=ecs.CpuArchitecture.ARM64,
                    operating_system_family=ecs.OperatingSystemFamily.LINUX,
                ),
            )
            task_definition.add_container(
                "ops",
                image=image,
                command=job.command,
                environment=job_environment,
                logging=ecs.LogDrivers.aws_logs(stream_prefix=job.name, log_group=self.log_group),
                readonly_root_filesystem=False,
            )
            self.task_definitions[job.name] = task_definition
            self.schedules[job.name] = scheduler.Schedule(
                self,
                f"{job.name.capitalize()}Schedule",
                schedule_name=f"portfolio-ops-{job.name}{suffix}",
                description=job.description,
                schedule=job.expression(),
                target=targets.EcsRunFargateTask(
                    cluster,
                    task_definition=task_definition,
                    assign_public_ip=True,  # no NAT: the public subnets' route to the APIs
                    vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
                    security_groups=[self.security_group],
                    retry_attempts=2,
                    max_event_age=Duration.hours(1),
                ),
            )


def reports_bucket(scope: Construct, access_log_bucket: s3.IBucket) -> s3.Bucket:
    """The scheduled jobs' results and reports: private, encrypted, versioned, kept on
    stack deletion; old versions expire after 90 days. Both designs use this bucket."""
    return s3.Bucket(
        scope,
        "Reports",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        server_access_logs_bucket=access_log_bucket,
        server_access_logs_prefix="s3/reports/",
        lifecycle_rules=[
            s3.LifecycleRule(
                id="old-versions",
                noncurrent_version_expiration=Duration.days(90),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
        removal_policy=RemovalPolicy.RETAIN,
    )


def store_and_report_statements(
    stack: Stack,
    *,
    tables: Sequence[dynamodb.ITable],
    reports_bucket: s3.IBucket,
    topic: sns.ITopic,
) -> list[iam.PolicyStatement]:
    """The ops role's permissions that both designs share: the store (records, the monthly
    table checks, the restore test, its scratch tables and their sweep), the reports bucket and the
    summary topic. The Sid names what needs each."""
    table_arns = [t.table_arn for t in tables]
    scratch_tables = [
        stack.format_arn(
            service="dynamodb", resource="table", resource_name=f"{t.table_name}-restore-test-*"
        )
        for t in tables
    ]
    return [
        iam.PolicyStatement(
            sid="OpsLogAndTelemetryReadsStoreQueryGetItem",
            actions=["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
            resources=table_arns,
        ),
        iam.PolicyStatement(
            # A grant on table/T does not cover table/T/index/*: the report lists users
            # through the users table's index.
            sid="ReportQueriesTheTablesIndexes",
            actions=["dynamodb:Query"],
            resources=[f"{arn}/index/*" for arn in table_arns],
        ),
        iam.PolicyStatement(
            sid="RecordCheckRunsPutItemUpdateItem",
            actions=["dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources=table_arns,
        ),
        iam.PolicyStatement(
            sid="MonthlyChecksDescribeTableContinuousBackups",
            actions=[
                "dynamodb:DescribeTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:DescribeTimeToLive",
            ],
            resources=table_arns,
        ),
        iam.PolicyStatement(
            sid="RestoreTestRestoreTableToPointInTimeAndScanSource",
            actions=["dynamodb:RestoreTableToPointInTime", "dynamodb:Scan"],
            resources=table_arns,
        ),
        iam.PolicyStatement(
            # RestoreTableToPointInTime needs these on the target table; the job scans
            # the scratch copy, then deletes it. Only tables named <table>-restore-test-*.
            sid="RestoreTestScratchTableWriteScanDelete",
            actions=[
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:BatchWriteItem",
                "dynamodb:DescribeTable",
                "dynamodb:DeleteTable",
            ],
            resources=scratch_tables,
        ),
        iam.PolicyStatement(
            # ListTables has no resource-level permissions: the restore test lists the
            # tables to find and delete scratch copies a killed run left behind.
            sid="RestoreTestSweepListTables",
            actions=["dynamodb:ListTables"],
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="ReportsPutObject",
            actions=["s3:PutObject"],
            resources=[
                reports_bucket.arn_for_objects("checks/*"),
                reports_bucket.arn_for_objects("reports/*"),
            ],
        ),
        iam.PolicyStatement(
            # The report job reads last month's report.json (前月からの変化) and every
            # month's for the archive's index; its SNS message carries presigned GETs of
            # the month's HTML and PDF, which work only if the signing role may GetObject.
            sid="ReportsGetObject",
            actions=["s3:GetObject"],
            resources=[reports_bucket.arn_for_objects("reports/*")],
        ),
        iam.PolicyStatement(
            sid="ReportsListMonths",
            actions=["s3:ListBucket"],
            resources=[reports_bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": ["reports/*"]}},
        ),
        iam.PolicyStatement(
            sid="SummaryPublish",
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
        ),
    ]


def ops_statements(
    stack: Stack,
    *,
    tables: Sequence[dynamodb.ITable],
    reports_bucket: s3.IBucket,
    access_log_bucket: s3.IBucket,
    topic: sns.ITopic,
    api_log_group: logs.ILogGroup,
    api_task_role: iam.IRole,
    cluster: ecs.ICluster,
) -> list[iam.PolicyStatement]:
    """Every permission of the ops role; the Sid names what needs it."""
    return [
        *store_and_report_statements(
            stack, tables=tables, reports_bucket=reports_bucket, topic=topic
        ),
        iam.PolicyStatement(
            sid="WeeklyReviewReadsTheAlbLogFiles",
            actions=["s3:GetObject"],
            resources=[access_log_bucket.arn_for_objects(f"{names.ALB_LOG_PREFIX}/*")],
        ),
        iam.PolicyStatement(
            sid="WeeklyReviewListsTheAlbLogFolders",
            actions=["s3:ListBucket"],
            resources=[access_log_bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{names.ALB_LOG_PREFIX}/*"]}},
        ),
        iam.PolicyStatement(
            sid="DailyCheckFilterLogEvents",
            actions=["logs:FilterLogEvents"],
            resources=[api_log_group.log_group_arn],
        ),
        iam.PolicyStatement(
            sid="ChecksEcsDescribeServices",
            actions=["ecs:DescribeServices"],
            resources=[
                # ArnComponents, not a dict: given a dict, CDK drops the resource name
                # and grants on ``...:service`` alone, which matches no service.
                Arn.format(
                    ArnComponents(
                        service="ecs",
                        resource="service",
                        resource_name=f"{cluster.cluster_name}/*",
                        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
                    ),
                    stack,
                )
            ],
        ),
        iam.PolicyStatement(
            sid="MonthlyChecksReadTaskRolePolicies",
            actions=[
                "iam:ListRolePolicies",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
            ],
            resources=[api_task_role.role_arn],
        ),
        iam.PolicyStatement(
            sid="MonthlyChecksBucketEncryptionPublicAccessLogging",
            actions=[
                "s3:GetEncryptionConfiguration",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetBucketLogging",
            ],
            # CDK names the stacks' buckets after the stack: portfolio-<env>[-web]-...
            resources=[
                stack.format_arn(service="s3", region="", account="", resource=f"{names.PROJECT}-*")
            ],
        ),
        iam.PolicyStatement(
            sid="MonthlyChecksAttachedManagedPolicies",
            actions=["iam:GetPolicy", "iam:GetPolicyVersion"],
            resources=[
                stack.format_arn(service="iam", region="", account="aws", resource="policy/*"),
                stack.format_arn(service="iam", region="", resource="policy/*"),
            ],
        ),
        iam.PolicyStatement(
            # These calls have no resource-level permissions (service authorization
            # reference): they are account-wide reads by design.
            sid="ReadOnlyDescribeCallsWithoutResourceLevelPermissions",
            actions=[
                "cloudwatch:GetMetricData",  # daily/weekly figures, report source
                "ce:GetCostAndUsage",  # report: costs
                "elasticloadbalancing:DescribeLoadBalancers",  # checks, report
                "elasticloadbalancing:DescribeLoadBalancerAttributes",  # monthly: access logs
                "elasticloadbalancing:DescribeTargetGroups",  # daily: targets
                "elasticloadbalancing:DescribeTargetHealth",  # daily: healthy targets
                "elasticloadbalancing:DescribeListeners",  # daily: the scheme it serves
                "route53:ListHealthChecks",  # report: the outside health check
                "ecs:DescribeTaskDefinition",  # monthly: secrets, task role
                "ec2:DescribeSecurityGroups",  # monthly: public ingress
                "s3:ListAllMyBuckets",  # monthly: the project's buckets
                "cloudfront:ListDistributions",  # monthly: the site's distribution, TLS
                "cloudfront:GetDistributionConfig",  # monthly: viewer protocol, logging
                "logs:DescribeLogGroups",  # monthly: log group encryption, retention
                "cloudtrail:LookupEvents",  # report: permission changes (権限変更)
                "ecr:DescribeImageScanFindings",  # monthly: image vulnerabilities (脆弱性)
                "ecr:DescribeImages",  # monthly: the image scanned
            ],
            resources=["*"],
        ),
    ]
