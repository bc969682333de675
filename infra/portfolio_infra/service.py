"""Service: the API on ECS Fargate (ARM64) behind the Application Load Balancer.

Two tasks for availability across two AZs, a deployment circuit breaker that rolls a
failed deployment back, target-tracking autoscaling 2-4 tasks on CPU and memory, and API
keys injected from Secrets Manager so they never appear in the template or the task
definition.

Liveness apart from readiness: the container health check asks /livez (the process
serves), the target group asks /health (the store answers too). A DynamoDB blip then
takes tasks out of the ALB's rotation without ECS replacing every one of them.

Only CloudFront reaches the API: the load balancer is internal (no public address, in
private subnets), reached through a CloudFront VPC origin, and its security group admits
only CloudFront's origin-facing prefix list. The listener also still forwards a request
only when it carries the origin-verify header, whose value is a generated secret that
CloudFront adds: another VPC origin in the account (or a workload in the VPC) gets a
403 from the load balancer itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy, SecretValue
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from portfolio import names

APP_PORT = 8000
MAX_TASKS = 4
HEALTH_CHECK_COMMAND = (
    'python -c "import urllib.request; urllib.request.urlopen('
    f"'http://127.0.0.1:{APP_PORT}{names.LIVENESS_PATH}', timeout=3)\""
)
ORIGIN_HEADER = "X-Origin-Verify"
"""The header CloudFront adds and the load balancer requires (value: the origin secret)."""


def origin_secret_name(suffix: str) -> str:
    """The origin secret's name, the same in the API's region and in its us-east-1 replica."""
    return f"portfolio{suffix}/origin-verify"


def api_secrets(
    scope: Construct, *, suffix: str, replica_region: str, checked_by: str
) -> tuple[secretsmanager.Secret, secretsmanager.Secret]:
    """The API-key secret and the origin secret, the same in both designs.

    CloudFront's distribution lives in the web stack (us-east-1) and reads the origin
    secret there by name: a replica needs no cross-region reference.

    Both are deleted with their stack (DeletionPolicy Delete). CloudFormation deletes an
    ``AWS::SecretsManager::Secret`` without a recovery window (replicas first), so a
    teardown frees the names at once and the next deploy can take them again; a
    retained secret deleted by hand with ``delete-secret`` would keep its name reserved
    for 30 days and make that deploy fail. The keys are worthless without the service.
    """
    api_keys = secretsmanager.Secret(
        scope,
        "ApiKeys",
        secret_name=f"portfolio{suffix}/api-keys",
        description="PORTFOLIO_API_KEYS: comma-separated keys, ':ro' marks read-only",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=40, exclude_punctuation=True
        ),
        removal_policy=RemovalPolicy.DESTROY,
    )
    origin = secretsmanager.Secret(
        scope,
        "OriginVerify",
        secret_name=origin_secret_name(suffix),
        description=f"{ORIGIN_HEADER}: CloudFront adds it, {checked_by} requires it",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=48, exclude_punctuation=True
        ),
        replica_regions=[secretsmanager.ReplicaRegion(region=replica_region)],
        removal_policy=RemovalPolicy.DESTROY,
    )
    return api_keys, origin


class Service(Construct):
    """Cluster, task definition, service, load balancer, listeners and target group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        alb_security_group: ec2.ISecurityGroup,
        service_security_group: ec2.ISecurityGroup,
        image: ecs.ContainerImage,
        environment: Mapping[str, str],
        access_log_bucket: s3.IBucket,
        log_retention_days: int,
        certificate_arn: str | None,
        replica_region: str,
        desired_tasks: int,
        scale_at_pct: float,
        name: str = "",
    ) -> None:
        super().__init__(scope, construct_id)
        suffix = f"-{name}" if name else ""

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"{names.LOG_GROUP}{suffix}",
            removal_policy=RemovalPolicy.RETAIN,
        )
        cfn_log_group = self.log_group.node.default_child
        assert isinstance(cfn_log_group, logs.CfnLogGroup)  # noqa: S101 - CDK's own child
        cfn_log_group.retention_in_days = log_retention_days

        self.api_keys_secret, self.origin_secret = api_secrets(
            self, suffix=suffix, replica_region=replica_region, checked_by="the load balancer"
        )

        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name=f"{names.CLUSTER}{suffix}",
            vpc=vpc,
            container_insights_v2=ecs.ContainerInsights.DISABLED,
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            family=f"portfolio-api{suffix}",
            cpu=256,
            memory_limit_mib=512,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        self.container = self.task_definition.add_container(
            "api",
            image=image,
            environment=dict(environment),
            secrets={"PORTFOLIO_API_KEYS": ecs.Secret.from_secrets_manager(self.api_keys_secret)},
            port_mappings=[ecs.PortMapping(container_port=APP_PORT)],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="api", log_group=self.log_group),
            health_check=ecs.HealthCheck(
                command=["CMD-SHELL", HEALTH_CHECK_COMMAND],
                interval=Duration.seconds(30),
                timeout=Duration.seconds(5),
                retries=3,
                start_period=Duration.seconds(20),
            ),
            readonly_root_filesystem=False,
            stop_timeout=Duration.seconds(30),
        )

        self.service = ecs.FargateService(
            self,
            "Service",
            service_name=f"{names.SERVICE}{suffix}",
            cluster=self.cluster,
            task_definition=self.task_definition,
            desired_count=desired_tasks,
            assign_public_ip=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_groups=[service_security_group],
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=Duration.seconds(60),
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )
        scaling = self.service.auto_scale_task_count(
            min_capacity=desired_tasks, max_capacity=MAX_TASKS
        )
        scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=scale_at_pct)
        scaling.scale_on_memory_utilization("Memory", target_utilization_percent=scale_at_pct)

        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            load_balancer_name=f"{names.LOAD_BALANCER}{suffix}",
            vpc=vpc,
            internet_facing=False,
            security_group=alb_security_group,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            drop_invalid_header_fields=True,
            deletion_protection=True,
        )
        self.load_balancer.log_access_logs(access_log_bucket, prefix=names.ALB_LOG_PREFIX)

        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            target_group_name=f"{names.TARGET_GROUP}{suffix}",
            vpc=vpc,
            port=APP_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[self.service],
            deregistration_delay=Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                path=names.HEALTH_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )

        self.https = certificate_arn is not None
        refuse = elbv2.ListenerAction.fixed_response(
            403, content_type="text/plain", message_body="forbidden: use the site's address"
        )
        if certificate_arn is not None:
            self.listener = self.load_balancer.add_listener(
                "Https",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_action=refuse,
                open=False,
            )
            self.load_balancer.add_redirect(source_port=80, target_port=443, open=False)
        else:
            self.listener = self.load_balancer.add_listener(
                "Http",
                port=80,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_action=refuse,
                open=False,
            )
        self.listener.add_action(
            "FromCloudFront",
            priority=1,
            conditions=[
                elbv2.ListenerCondition.http_header(
                    ORIGIN_HEADER, [_secret_text(self.origin_secret.secret_value)]
                )
            ],
            action=elbv2.ListenerAction.forward([self.target_group]),
        )


def _secret_text(value: SecretValue) -> str:
    """The secret as a CloudFormation dynamic reference, resolved at deploy time.

    The value never appears in the template; ELB keeps it in the listener rule, where
    only principals allowed to describe rules can read it.
    """
    return value.unsafe_unwrap()
