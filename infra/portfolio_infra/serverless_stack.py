"""The serverless design's API stack (context ``design=serverless``).

The same tables (names and key schema from portfolio.store.keys), the same scheduled
jobs, alarm topic, budget and web stack (CloudFront with /api/* and /health, the outside
health check) as the original; the API and the jobs run on Lambda instead of Fargate,
so there is no VPC, no NAT gateway, no load balancer and no public IPv4 address.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import CfnOutput, Environment, Fn, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from portfolio import names
from portfolio.cloud import WEB_REGION
from portfolio.store import keys
from portfolio_infra.budget import Budget
from portfolio_infra.data import Data
from portfolio_infra.log_archive import LogArchive
from portfolio_infra.serverless import ApiFunction, LambdaMonitoring, LambdaOperations
from portfolio_infra.settings import EnvironmentSettings


class ExistingTables(Construct):
    """The original's tables, by name (context ``existing_tables=true``): nothing is created.

    How the serverless design runs beside the original on the same data, and how it
    takes over when the original's stacks are deleted (their tables are retained).
    """

    def __init__(self, scope: Construct, construct_id: str, *, table_name: Callable[[str], str]):
        super().__init__(scope, construct_id)
        self.tables: dict[str, dynamodb.ITable] = {
            schema.name: dynamodb.Table.from_table_attributes(
                self,
                schema.name,
                table_name=table_name(schema.name),
                global_indexes=[index.name for index in schema.global_indexes],
            )
            for schema in keys.TABLES
        }
        self.users = self.tables[keys.USERS.name]
        self.metrics = self.tables[keys.METRICS.name]


class ServerlessApiStack(Stack):
    """Data, the API and ops functions, monitoring and budget of one environment."""

    def __init__(self, scope: Construct, *, settings: EnvironmentSettings) -> None:
        super().__init__(
            scope,
            settings.stack_name,
            env=Environment(account=settings.account, region=settings.region),
            description=f"portfolio API ({settings.name}, serverless): Lambda, DynamoDB, alarms",
            cross_region_references=True,
        )
        self.settings = settings
        Tags.of(self).add("Project", names.PROJECT)
        Tags.of(self).add("Environment", settings.name)
        Tags.of(self).add("Design", settings.design)
        env_suffix = "" if settings.is_production else f"-{settings.name}"
        # Everything but the tables carries the design's name, so this stack can be
        # deployed beside the original's in one account (secrets, budget, dashboard,
        # schedules and functions all have names); the tables keep the original's names.
        self.suffix = f"{env_suffix}-{settings.design}"

        self.log_archive = LogArchive(
            self, "LogArchive", retention_days=settings.access_log_retention_days
        )
        self.data: Data | ExistingTables = (
            ExistingTables(self, "Data", table_name=settings.resource_name)
            if settings.existing_tables
            else Data(
                self,
                "Data",
                schemas=keys.TABLES,
                table_name=settings.resource_name,
                max_read_units_per_s=settings.max_read_units_per_s,
                max_write_units_per_s=settings.max_write_units_per_s,
            )
        )
        store_environment = {
            "PORTFOLIO_STORE__BACKEND": "dynamodb",
            "PORTFOLIO_STORE__REGION": self.region,
            "PORTFOLIO_STORE__USERS_TABLE": self.data.users.table_name,
            "PORTFOLIO_STORE__METRICS_TABLE": self.data.metrics.table_name,
        }
        self.api = ApiFunction(
            self,
            "Api",
            environment={
                "PORTFOLIO_ENV": "production" if settings.is_production else "staging",
                # Lambda's log stream is the access log; rollups carry the figures.
                "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
                **store_environment,
            },
            replica_region=WEB_REGION,
            log_retention_days=settings.log_retention_days,
            suffix=self.suffix,
        )
        # The function may touch its two tables and nothing else (and read its secrets).
        for table in self.data.tables.values():
            table.grant_read_write_data(self.api.function)

        self.monitoring = LambdaMonitoring(
            self,
            "Monitoring",
            kpi=settings.kpi,
            function=self.api.function,
            tables={keys.USERS.name: self.data.users, keys.METRICS.name: self.data.metrics},
            alarm_email=settings.alarm_email,
            dashboard_name=f"{names.PROJECT}{self.suffix}",
        )
        self.budget = Budget(
            self,
            "Budget",
            name=f"{names.PROJECT}-monthly{self.suffix}",
            limit_usd=settings.kpi.budget_usd,
            topic=self.monitoring.topic,
            email=settings.alarm_email,
        )
        self.operations = LambdaOperations(
            self,
            "Operations",
            layer=self.api.layer,
            environment={
                "PORTFOLIO_ENV": "production" if settings.is_production else "staging",
                **store_environment,
                "PORTFOLIO_REPORT__REGION": self.region,
                "PORTFOLIO_TELEMETRY__ENABLED": "false",
                # The ops jobs serve no requests; a key only satisfies the settings check.
                "PORTFOLIO_API_KEYS_SECRET_ID": self.api.api_keys_secret.secret_arn,
            },
            tables=list(self.data.tables.values()),
            topic=self.monitoring.topic,
            access_log_bucket=self.log_archive.bucket,
            api_function=self.api.function,
            log_retention_days=settings.log_retention_days,
            suffix=self.suffix,
        )
        self.api.api_keys_secret.grant_read(self.operations.role)
        CfnOutput(self, "ReportsBucket", value=self.operations.reports_bucket.bucket_name)
        CfnOutput(self, "LogBucket", value=self.log_archive.bucket.bucket_name)
        CfnOutput(self, "ApiKeysSecret", value=self.api.api_keys_secret.secret_name)
        CfnOutput(self, "AlarmTopic", value=self.monitoring.topic.topic_arn)
        CfnOutput(self, "FunctionUrl", value=self.api.url.url)

    @property
    def origin_domain_name(self) -> str:
        """The Function URL's host (``https://<id>.lambda-url.<region>.on.aws/``)."""
        return Fn.select(2, Fn.split("/", self.api.url.url))

    origin_https = True
    """Function URLs serve HTTPS only, with AWS's certificate for their own name."""

    origin_load_balancer = None
    """No load balancer: CloudFront reaches the Function URL by name."""

    @property
    def ops_role_arn(self) -> str:
        """The role the scheduled jobs run under: the web stack's log bucket names it."""
        return self.operations.role.role_arn
