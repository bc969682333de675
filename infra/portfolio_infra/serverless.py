"""The serverless design's compute: the API and the ops jobs as Lambda functions (arm64).

The API function serves the same FastAPI app through Mangum
(``portfolio.api.lambda_app.handler``) behind a Function URL that CloudFront reaches
with the origin-verify header; the handler refuses requests without it, as the
original's load balancer rule does. No VPC: the function reaches DynamoDB over AWS's
endpoints, so there is no NAT gateway, no load balancer and no public IPv4 address.

The ops jobs run in a second function from the same package: EventBridge Scheduler
invokes it with ``{"ops": "<job>"}``. That is cheaper than ECS RunTask (no cluster,
no image, no public IP for the task, billed per 1 ms instead of a 1-minute minimum)
and works within Lambda's 15 minutes; the monthly checks, whose restore test may not,
run as a Step Functions state machine around the same function (``restore_machine``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from portfolio.api.lambda_app import API_KEYS_SECRET_ENV, ORIGIN_SECRET_ENV
from portfolio.config import KpiTargets
from portfolio_infra import lambda_package
from portfolio_infra.monitoring import FIVE_MINUTES, alarm_topic
from portfolio_infra.operations import (
    BUCKET_ENV,
    JOBS,
    TOPIC_ENV,
    reports_bucket,
    store_and_report_statements,
)
from portfolio_infra.restore_machine import RestoreMachine
from portfolio_infra.service import api_secrets

API_MEMORY_MB = 512
API_TIMEOUT = Duration.seconds(29)
OPS_MEMORY_MB = 1024  # the report holds a month of rollups in memory, as the ECS task did
OPS_TIMEOUT = Duration.minutes(15)
HANDLER = "portfolio.api.lambda_app.handler"
RUNTIME = lambda_.Runtime.PYTHON_3_12


def _log_group(scope: Construct, construct_id: str, name: str, days: int) -> logs.LogGroup:
    group = logs.LogGroup(
        scope, construct_id, log_group_name=name, removal_policy=RemovalPolicy.RETAIN
    )
    cfn = group.node.default_child
    assert isinstance(cfn, logs.CfnLogGroup)  # noqa: S101 - CDK's own child
    cfn.retention_in_days = days
    return group


def _portfolio_function(
    scope: Construct,
    *,
    function_name: str,
    layer: lambda_.ILayerVersion,
    memory_size: int,
    timeout: Duration,
    environment: Mapping[str, str],
    log_group: logs.ILogGroup,
    description: str,
    role: iam.IRole | None = None,
) -> lambda_.Function:
    """A function of this package on the shared layer: the API and the ops jobs run the
    same code (one handler tells an ops event from a request), so they must not differ
    in runtime, architecture or what the package holds."""
    return lambda_.Function(
        scope,
        "Function",
        function_name=function_name,
        runtime=RUNTIME,
        architecture=lambda_.Architecture.ARM_64,
        handler=HANDLER,
        code=lambda_.Code.from_asset(
            str(lambda_package.code_dir()), exclude=lambda_package.ASSET_EXCLUDES
        ),
        layers=[layer],
        memory_size=memory_size,
        timeout=timeout,
        role=role,
        environment=dict(environment),
        log_group=log_group,
        description=description,
    )


class ApiFunction(Construct):
    """Secrets, the layer, the API function and its Function URL."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Mapping[str, str],
        replica_region: str,
        log_retention_days: int,
        suffix: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api_keys_secret, self.origin_secret = api_secrets(
            self, suffix=suffix, replica_region=replica_region, checked_by="the function"
        )
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(
                str(lambda_package.layer_dir()), exclude=lambda_package.ASSET_EXCLUDES
            ),
            compatible_architectures=[lambda_.Architecture.ARM_64],
            compatible_runtimes=[RUNTIME],
            description="portfolio's locked dependencies for Lambda arm64 (uv, no Docker)",
        )
        self.log_group = _log_group(
            self, "Logs", f"/aws/lambda/portfolio-api{suffix}", log_retention_days
        )
        self.function = _portfolio_function(
            self,
            function_name=f"portfolio-api{suffix}",
            layer=self.layer,
            memory_size=API_MEMORY_MB,
            timeout=API_TIMEOUT,
            environment={
                **environment,
                API_KEYS_SECRET_ENV: self.api_keys_secret.secret_arn,
                ORIGIN_SECRET_ENV: self.origin_secret.secret_arn,
            },
            log_group=self.log_group,
            description="portfolio API: the FastAPI app through Mangum",
        )
        self.api_keys_secret.grant_read(self.function)
        self.origin_secret.grant_read(self.function)
        self.url = self.function.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)


class LambdaMonitoring(Construct):
    """The KPI alarms adapted to Lambda, table throttles, the topic and a dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kpi: KpiTargets,
        function: lambda_.Function,
        tables: Mapping[str, dynamodb.ITable],
        alarm_email: str | None,
        dashboard_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = alarm_topic(self, "Topic", email=alarm_email)
        self.alarms: dict[str, cw.Alarm] = {}
        duration = function.metric_duration(statistic="p95", period=FIVE_MINUTES)
        errors = function.metric_errors(statistic="Sum", period=FIVE_MINUTES)
        invocations = function.metric_invocations(statistic="Sum", period=FIVE_MINUTES)
        throttles = function.metric_throttles(statistic="Sum", period=FIVE_MINUTES)
        concurrent = function.metric(
            "ConcurrentExecutions", statistic="Maximum", period=FIVE_MINUTES
        )
        error_rate = cw.MathExpression(
            expression="100 * FILL(errors, 0) / IF(FILL(n, 0) > 0, n, 1)",
            using_metrics={"errors": errors, "n": invocations},
            label="error rate (%)",
            period=FIVE_MINUTES,
        )
        self._alarm("DurationP95", duration, kpi.response_time_ms,
                    f"Function duration p95 above {kpi.response_time_ms:g} ms")  # fmt: skip
        self._alarm("ErrorRate", error_rate, kpi.error_rate_pct,
                    f"Function errors above {kpi.error_rate_pct:g} % of invocations")  # fmt: skip
        self._alarm("Throttles", throttles, 0, "Invocations throttled (account concurrency)")
        # About 0.25 req/s needs one environment; ten at once is a runaway or an attack.
        self._alarm("ConcurrentExecutions", concurrent, 10, "More than 10 concurrent executions")
        table_throttles: list[cw.IMetric] = []
        for index, (name, table) in enumerate(sorted(tables.items())):
            metric = cw.MathExpression(
                expression=f"FILL(r{index}, 0) + FILL(w{index}, 0)",
                using_metrics={
                    f"r{index}": table.metric("ReadThrottleEvents", statistic="Sum"),
                    f"w{index}": table.metric("WriteThrottleEvents", statistic="Sum"),
                },
                label=f"{name} throttles",
                period=FIVE_MINUTES,
            )
            table_throttles.append(metric)
            self._alarm(f"Throttles-{name}", metric, 0, f"DynamoDB throttled requests on {name}")
        self.dashboard = cw.Dashboard(
            self, "Dashboard", dashboard_name=dashboard_name, default_interval=Duration.days(7)
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Invocations", left=[invocations]),
            cw.GraphWidget(title="Duration p95 (ms)", left=[duration]),
            cw.GraphWidget(title="Error rate (%)", left=[error_rate]),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Concurrent executions / throttles", left=[concurrent, throttles]),
            cw.GraphWidget(title="DynamoDB throttles", left=table_throttles),
            cw.AlarmStatusWidget(title="KPI alarms", alarms=list(self.alarms.values())),
        )

    def _alarm(self, key: str, metric: cw.IMetric, threshold: float, description: str) -> None:
        alarm = cw.Alarm(
            self,
            key,
            metric=metric,
            threshold=threshold,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=3 if key in ("DurationP95", "ErrorRate") else 1,
            datapoints_to_alarm=3 if key in ("DurationP95", "ErrorRate") else 1,
            alarm_description=description,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms[key] = alarm


class LambdaOperations(Construct):
    """Reports bucket, the ops function with its own role, one schedule per job."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layer: lambda_.ILayerVersion,
        environment: Mapping[str, str],
        tables: Sequence[dynamodb.ITable],
        topic: sns.ITopic,
        access_log_bucket: s3.IBucket,
        api_function: lambda_.Function,
        log_retention_days: int,
        suffix: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.reports_bucket = reports_bucket(self, access_log_bucket)
        self.log_group = _log_group(
            self, "Logs", f"/aws/lambda/portfolio-ops{suffix}", log_retention_days
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="portfolio ops jobs: read the account, write the ops log and reports",
        )
        for statement in ops_statements(
            stack,
            tables=tables,
            reports_bucket=self.reports_bucket,
            topic=topic,
            api_function=api_function,
            log_group=self.log_group,
        ):
            self.role.add_to_principal_policy(statement)
        self.function = _portfolio_function(
            self,
            function_name=f"portfolio-ops{suffix}",
            layer=layer,
            memory_size=OPS_MEMORY_MB,
            timeout=OPS_TIMEOUT,
            role=self.role,
            environment={
                **environment,
                BUCKET_ENV: self.reports_bucket.bucket_name,
                TOPIC_ENV: topic.topic_arn,
                # The checklist keeps the Lambda checks and drops the ECS/ALB ones.
                "PORTFOLIO_DESIGN": "serverless",
                "PORTFOLIO_API_FUNCTION": api_function.function_name,
            },
            log_group=self.log_group,
            description="portfolio ops jobs: daily/weekly/monthly checks and the report",
        )
        # The monthly checks restore each table, which may outlast the function's 15
        # minutes: a state machine waits instead, then runs the checklist.
        self.restore_machine = RestoreMachine(
            self,
            "Monthly",
            function=self.function,
            tables=tables,
            log_retention_days=log_retention_days,
            name=suffix,
        )
        self.schedules = self._schedules(suffix)

    def _schedules(self, suffix: str) -> dict[str, scheduler.Schedule]:
        """One schedule per job: the function with ``{"ops": job}``, the monthly one the
        state machine with the tables to restore."""
        schedules: dict[str, scheduler.Schedule] = {}
        for job in JOBS:
            target: scheduler.IScheduleTarget
            if job.name == "monthly":
                target = targets.StepFunctionsStartExecution(
                    self.restore_machine.state_machine,
                    input=scheduler.ScheduleTargetInput.from_object(
                        {"tables": self.restore_machine.table_names}
                    ),
                    retry_attempts=2,
                    max_event_age=Duration.hours(1),
                )
            else:
                target = targets.LambdaInvoke(
                    self.function,
                    input=scheduler.ScheduleTargetInput.from_object({"ops": job.name}),
                    retry_attempts=2,
                    max_event_age=Duration.hours(1),
                )
            schedules[job.name] = scheduler.Schedule(
                self,
                f"{job.name.capitalize()}Schedule",
                schedule_name=f"portfolio-ops-{job.name}{suffix}",
                description=job.description,
                schedule=job.expression(),
                target=target,
            )
        return schedules


def ops_statements(
    stack: Stack,
    *,
    tables: Sequence[dynamodb.ITable],
    reports_bucket: s3.IBucket,
    topic: sns.ITopic,
    api_function: lambda_.Function,
    log_group: logs.ILogGroup,
) -> list[iam.PolicyStatement]:
    """Every permission of the serverless ops role; the Sid names what needs it.

    The original's ELB, ECS, EC2 and ECR reads have no resource here and are left out,
    and so are the IAM reads of the least-privilege check, which reads the ECS task
    role: no serverless check reads the function's role (the permissions test found
    the grant unused).
    """
    return [
        iam.PolicyStatement(
            sid="OwnLogs",
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        ),
        *store_and_report_statements(
            stack, tables=tables, reports_bucket=reports_bucket, topic=topic
        ),
        iam.PolicyStatement(
            sid="DailyCheckFilterLogEvents",
            actions=["logs:FilterLogEvents"],
            resources=[
                f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:"
                f"/aws/lambda/{api_function.function_name}:*"
            ],
        ),
        iam.PolicyStatement(
            sid="DailyCheckReadApiFunction",
            actions=["lambda:GetFunction"],
            resources=[api_function.function_arn],
        ),
        iam.PolicyStatement(
            sid="MonthlyChecksBucketEncryptionPublicAccessLogging",
            actions=[
                "s3:GetEncryptionConfiguration",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetBucketLogging",
            ],
            resources=[
                stack.format_arn(service="s3", region="", account="", resource="portfolio-*")
            ],
        ),
        iam.PolicyStatement(
            # No resource-level permissions for these reads (service authorization reference).
            sid="ReadOnlyDescribeCallsWithoutResourceLevelPermissions",
            actions=[
                "cloudwatch:GetMetricData",
                "lambda:GetAccountSettings",
                "ce:GetCostAndUsage",
                "route53:ListHealthChecks",
                "s3:ListAllMyBuckets",
                "cloudfront:ListDistributions",
                "cloudfront:GetDistributionConfig",
                "logs:DescribeLogGroups",
                "cloudtrail:LookupEvents",
            ],
            resources=["*"],
        ),
    ]
