"""The stacks of one environment: the API in the home region, the web tier in us-east-1.

Constructs only build their own concern; this module wires them together (who may read
which table, which bucket takes whose logs) so every grant is visible in one place.
The web tier has its own stack because CloudFront publishes metrics only in us-east-1
and an alarm must live in its metric's region; splitting there needs no cross-region
references at all.
"""

from __future__ import annotations

import json
from typing import Protocol

from aws_cdk import CfnOutput, Environment, SecretValue, Stack, Tags
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from portfolio import names
from portfolio.cloud import WEB_REGION
from portfolio.store import keys
from portfolio_infra.budget import Budget
from portfolio_infra.data import Data
from portfolio_infra.frontend import ApiOrigin, Frontend
from portfolio_infra.image_scanning import image_scanning
from portfolio_infra.log_archive import LogArchive, grant_cloudfront_log_read
from portfolio_infra.monitoring import EdgeMonitoring, Monitoring
from portfolio_infra.network import Network
from portfolio_infra.operations import Operations
from portfolio_infra.origin_access import CloudFrontOriginFacing
from portfolio_infra.service import APP_PORT, ORIGIN_HEADER, Service, origin_secret_name
from portfolio_infra.settings import REPO_ROOT, EnvironmentSettings


def _image(scope: Construct, settings: EnvironmentSettings) -> tuple[ecs.ContainerImage, str]:
    """The API image and its ECR repository's name: a repository + tag when given, else
    built from the Dockerfile into CDK's container-assets repository.

    ``DockerImageAsset`` only stages the build context at synth (Docker runs at deploy
    time), so synth stays offline; CI that pushes its own images passes
    ``image_repository``.
    """
    if settings.image_repository:
        repository = ecr.Repository.from_repository_name(
            scope, "ImageRepository", settings.image_repository
        )
        image = ecs.ContainerImage.from_ecr_repository(repository, settings.image_tag)
        return image, settings.image_repository
    asset = ecr_assets.DockerImageAsset(
        scope, "Image", directory=str(REPO_ROOT), platform=ecr_assets.Platform.LINUX_ARM64
    )
    return ecs.ContainerImage.from_docker_image_asset(asset), asset.repository.repository_name


class ApiStack(Stack):
    """Network, data, service, monitoring and budget of one environment."""

    def __init__(self, scope: Construct, *, settings: EnvironmentSettings) -> None:
        super().__init__(
            scope,
            settings.stack_name,
            env=Environment(account=settings.account, region=settings.region),
            description=f"portfolio API ({settings.name}): Fargate, ALB, DynamoDB, alarms",
            cross_region_references=True,
        )
        self.settings = settings
        Tags.of(self).add("Project", names.PROJECT)
        Tags.of(self).add("Environment", settings.name)
        suffix = "" if settings.is_production else settings.name
        self.suffix = f"-{suffix}" if suffix else ""

        self.log_archive = LogArchive(
            self, "LogArchive", retention_days=settings.access_log_retention_days
        )
        listener_ports = (80, 443) if settings.certificate_arn else (80,)
        self.cloudfront_origin_facing = CloudFrontOriginFacing(
            self,
            "CloudFrontOriginFacing",
            log_group_name=f"/aws/lambda/portfolio-deploy{self.suffix}-cloudfront-prefix-list",
            log_retention_days=settings.log_retention_days,
        )
        self.network = Network(
            self,
            "Network",
            availability_zones=settings.availability_zones,
            app_port=APP_PORT,
            listener_ports=listener_ports,
            flow_log_bucket=self.log_archive.bucket,
            origin_prefix_list_id=self.cloudfront_origin_facing.prefix_list_id,
        )
        self.data = Data(
            self,
            "Data",
            schemas=keys.TABLES,
            table_name=settings.resource_name,
            max_read_units_per_s=settings.max_read_units_per_s,
            max_write_units_per_s=settings.max_write_units_per_s,
        )
        image, image_repository = _image(self, settings)
        store_environment = {
            "PORTFOLIO_STORE__BACKEND": "dynamodb",
            "PORTFOLIO_STORE__REGION": self.region,
            "PORTFOLIO_STORE__USERS_TABLE": self.data.users.table_name,
            "PORTFOLIO_STORE__METRICS_TABLE": self.data.metrics.table_name,
        }
        self.service = Service(
            self,
            "Service",
            vpc=self.network.vpc,
            alb_security_group=self.network.alb_security_group,
            service_security_group=self.network.service_security_group,
            image=image,
            environment={
                "PORTFOLIO_ENV": "production" if settings.is_production else "staging",
                **store_environment,
                **(
                    {"PORTFOLIO_API__CORS_ORIGINS": json.dumps([settings.site_origin])}
                    if settings.site_origin
                    else {}
                ),
            },
            access_log_bucket=self.log_archive.bucket,
            log_retention_days=settings.log_retention_days,
            certificate_arn=settings.certificate_arn,
            replica_region=WEB_REGION,
            desired_tasks=names.DESIRED_TASKS,
            scale_at_pct=settings.kpi.cpu_mem_pct,
            name=suffix,
        )
        # The task role may touch its two tables and nothing else.
        task_role = self.service.task_definition.task_role
        for table in self.data.tables.values():
            table.grant_read_write_data(task_role)

        self.monitoring = Monitoring(
            self,
            "Monitoring",
            kpi=settings.kpi,
            load_balancer=self.service.load_balancer,
            target_group=self.service.target_group,
            service=self.service.service,
            tables={keys.USERS.name: self.data.users, keys.METRICS.name: self.data.metrics},
            desired_tasks=names.DESIRED_TASKS,
            alarm_email=settings.alarm_email,
            dashboard_name=settings.resource_name(names.PROJECT),
        )
        self.budget = Budget(
            self,
            "Budget",
            name=settings.resource_name(f"{names.PROJECT}-monthly"),
            limit_usd=settings.kpi.budget_usd,
            topic=self.monitoring.topic,
            email=settings.alarm_email,
        )
        self.operations = Operations(
            self,
            "Operations",
            cluster=self.service.cluster,
            vpc=self.network.vpc,
            image=image,
            environment={
                **store_environment,
                "PORTFOLIO_REPORT__REGION": self.region,
                "PORTFOLIO_TELEMETRY__ENABLED": "false",
            },
            tables=list(self.data.tables.values()),
            topic=self.monitoring.topic,
            access_log_bucket=self.log_archive.bucket,
            api_log_group=self.service.log_group,
            api_task_role=task_role,
            log_retention_days=settings.log_retention_days,
            name=suffix,
        )
        if settings.is_production:
            image_scanning(self, repository_name=image_repository)
        CfnOutput(self, "ReportsBucket", value=self.operations.reports_bucket.bucket_name)
        CfnOutput(self, "LogBucket", value=self.log_archive.bucket.bucket_name)
        CfnOutput(self, "ApiKeysSecret", value=self.service.api_keys_secret.secret_name)
        CfnOutput(self, "AlarmTopic", value=self.monitoring.topic.topic_arn)

    @property
    def origin_domain_name(self) -> str:
        """Where CloudFront sends /api/* and /health: the load balancer's own name."""
        return self.service.load_balancer.load_balancer_dns_name

    origin_https = False
    """The load balancer's own name has no certificate: HTTP unless context api_domain."""

    @property
    def origin_load_balancer(self) -> elbv2.IApplicationLoadBalancer | None:
        """The internal load balancer CloudFront reaches through a VPC origin."""
        return self.service.load_balancer

    @property
    def ops_role_arn(self) -> str:
        """The role the scheduled jobs run under: the web stack's log bucket names it."""
        return self.operations.task_role.role_arn


class ApiOriginStack(Protocol):
    """What the web stack needs of either design's API stack."""

    @property
    def suffix(self) -> str: ...
    @property
    def origin_domain_name(self) -> str: ...
    @property
    def origin_https(self) -> bool: ...
    @property
    def origin_load_balancer(self) -> elbv2.IApplicationLoadBalancer | None: ...
    @property
    def ops_role_arn(self) -> str: ...


class WebStack(Stack):
    """The site and the API's public entry: CloudFront, the outside health check, alarms.

    The load balancer's name and ARN come from the API stack through CDK's cross-region
    references (an SSM parameter in us-east-1 written at the API stack's deploy), so
    ``cdk deploy --all`` deploys both in one pass, API first.
    """

    def __init__(
        self, scope: Construct, *, settings: EnvironmentSettings, api: ApiOriginStack
    ) -> None:
        super().__init__(
            scope,
            settings.web_stack_name,
            env=Environment(account=settings.account, region=WEB_REGION),
            description=f"portfolio web ({settings.name}): S3 + CloudFront site and API entry",
            cross_region_references=True,
        )
        Tags.of(self).add("Project", names.PROJECT)
        Tags.of(self).add("Environment", settings.name)
        self.log_archive = LogArchive(
            self, "LogArchive", retention_days=settings.access_log_retention_days
        )
        self.api_origin_https = settings.api_domain is not None or api.origin_https
        self.frontend = Frontend(
            self,
            "Frontend",
            site_dir=settings.web_dir,
            log_bucket=self.log_archive.bucket,
            api_base_url=settings.api_base_url,
            api_origin=ApiOrigin(
                domain_name=settings.api_domain or api.origin_domain_name,
                https=self.api_origin_https,
                load_balancer=api.origin_load_balancer,
                header_name=ORIGIN_HEADER,
                # Read from the us-east-1 replica by name: resolved at deploy, never in
                # the template.
                header_value=SecretValue.secrets_manager(
                    origin_secret_name(api.suffix)
                ).unsafe_unwrap(),
            ),
        )
        grant_cloudfront_log_read(self.log_archive.bucket, api.ops_role_arn)
        self.monitoring = EdgeMonitoring(
            self,
            "Monitoring",
            kpi=settings.kpi,
            distribution_id=self.frontend.distribution.distribution_id,
            public_domain=self.frontend.distribution.distribution_domain_name,
            health_path=names.HEALTH_PATH,
            alarm_email=settings.alarm_email,
        )
        CfnOutput(
            self,
            "SiteUrl",
            value=f"https://{self.frontend.distribution.distribution_domain_name}",
        )
        CfnOutput(self, "LogBucket", value=self.log_archive.bucket.bucket_name)
