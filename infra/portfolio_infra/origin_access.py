"""The CloudFront origin-facing managed prefix list, looked up by name at deploy time.

With a CloudFront VPC origin the load balancer is internal, in private subnets, and no
security group admits the internet. What it admits is CloudFront: AWS documents (CDK's
aws_cloudfront_origins, "Restrict traffic coming to the VPC origin"; CloudFront guide,
"Use the CloudFront managed prefix list") the AWS-managed prefix list
``com.amazonaws.global.cloudfront.origin-facing`` for exactly this rule.

Its id differs per region, and CDK's ``PrefixList.from_lookup`` needs an account at
synth (this app synthesizes without one), so a deploy-time SDK call
(``ec2:DescribeManagedPrefixLists``, a read without resource-level permissions) finds
it by name; the security group rule references the id it returns.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
"""The IPv4 list of CloudFront's origin-facing servers (AWS-managed, free)."""
ID_FIELD = "PrefixLists.0.PrefixListId"


class CloudFrontOriginFacing(Construct):
    """``prefix_list_id``: the region's id of CloudFront's origin-facing prefix list."""

    def __init__(
        self, scope: Construct, construct_id: str, *, log_group_name: str, log_retention_days: int
    ) -> None:
        super().__init__(scope, construct_id)
        # The deploy-time handler's log group, kept as long as the stack's others.
        log_group = logs.LogGroup(
            self, "Logs", log_group_name=log_group_name, removal_policy=RemovalPolicy.DESTROY
        )
        cfn_log_group = log_group.node.default_child
        assert isinstance(cfn_log_group, logs.CfnLogGroup)  # noqa: S101 - CDK's own child
        cfn_log_group.retention_in_days = log_retention_days
        call = cr.AwsSdkCall(
            service="EC2",
            action="describeManagedPrefixLists",
            parameters={"Filters": [{"Name": "prefix-list-name", "Values": [ORIGIN_FACING]}]},
            physical_resource_id=cr.PhysicalResourceId.of(ORIGIN_FACING),
            output_paths=[ID_FIELD],
        )
        self.lookup = cr.AwsCustomResource(
            self,
            "Lookup",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
            ),
            install_latest_aws_sdk=False,
            log_group=log_group,
        )
        self.prefix_list_id = self.lookup.get_response_field(ID_FIELD)
