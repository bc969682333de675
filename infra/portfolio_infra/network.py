"""Network: a two-AZ VPC, public and private subnets, and the two security groups.

The load balancer is internal, in the private (isolated) subnets: CloudFront reaches
it through a VPC origin, and its security group admits only CloudFront's origin-facing
prefix list, so no security group is open to the internet. (A VPC origin needs an
internet gateway attached to the VPC, which the public subnets have; it does not route
through it.)

No NAT gateway: at $0.062/h it would cost more than the tasks, and the four interface
endpoints the tasks would need instead (ECR API, ECR Docker, Logs, Secrets Manager) cost
about $0.014/h per AZ each. Tasks sit in public subnets with a public IPv4 address for
egress only and accept traffic only from the load balancer's security group; DynamoDB
and S3 traffic stays on the AWS network through free gateway endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from constructs import Construct

VPC_CIDR = "10.40.0.0/16"


class Network(Construct):
    """The VPC, the ALB's security group and the tasks' security group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        availability_zones: Sequence[str],
        app_port: int,
        listener_ports: Sequence[int],
        flow_log_bucket: s3.IBucket,
        origin_prefix_list_id: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            availability_zones=list(availability_zones),
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                # The internal load balancer and the VPC origin's network interfaces.
                ec2.SubnetConfiguration(
                    name="origin", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
            restrict_default_security_group=False,
            gateway_endpoints={
                "DynamoDb": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
                ),
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
            },
            flow_logs={
                "Rejected": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_s3(flow_log_bucket, "vpc-flow/"),
                    traffic_type=ec2.FlowLogTrafficType.REJECT,
                )
            },
        )
        self.alb_security_group = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=self.vpc,
            description="portfolio-alb: in only from CloudFront, out only to the tasks",
            allow_all_outbound=False,
        )
        for port in listener_ports:
            self.alb_security_group.add_ingress_rule(
                ec2.Peer.prefix_list(origin_prefix_list_id),
                ec2.Port.tcp(port),
                f"CloudFront origin-facing servers on {port}",
            )
        self.service_security_group = ec2.SecurityGroup(
            self,
            "ServiceSecurityGroup",
            vpc=self.vpc,
            description="portfolio-api tasks: in only from the ALB, out only HTTPS",
            allow_all_outbound=False,
        )
        self.service_security_group.add_ingress_rule(
            self.alb_security_group, ec2.Port.tcp(app_port), "API traffic from the ALB only"
        )
        self.alb_security_group.add_egress_rule(
            self.service_security_group, ec2.Port.tcp(app_port), "to the API tasks"
        )
        self.service_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(),
            ec2.Port.tcp(443),
            "HTTPS to ECR, CloudWatch Logs, Secrets Manager and DynamoDB",
        )
