"""LogArchive: the one bucket that receives access logs (ALB, S3, VPC flow logs, CloudFront).

ALB log delivery only supports SSE-S3, so the bucket uses S3-managed keys; logs are kept
long enough for the monthly report to compare with the same month a year earlier.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct


class LogArchive(Construct):
    """An encrypted, private, versioned bucket with lifecycle expiry for access logs."""

    def __init__(self, scope: Construct, construct_id: str, *, retention_days: int) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            # CloudFront standard logs are written with an ACL grant; everything else by policy.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-logs",
                    expiration=Duration.days(retention_days),
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )


CLOUDFRONT_LOG_PREFIX = "cloudfront/"
"""Where the distribution writes its standard logs in the web stack's log bucket."""


def grant_cloudfront_log_read(bucket: s3.IBucket, reader_role_arn: str) -> None:
    """Let the ops role (another stack, another region) read the CloudFront standard logs.

    The report reads the cache hit ratio from those logs. The web stack already takes
    the API stack's values through CDK's cross-region references (API stack first); a
    grant on the ops role itself would need the bucket back from the web stack, a cycle.
    So the bucket's own policy names the role: within one account either side's Allow
    suffices. Only the ``cloudfront/`` folder, listed by prefix, read, never written.
    """
    reader = iam.ArnPrincipal(reader_role_arn)
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            sid="OpsReportListsTheCloudFrontLogs",
            principals=[reader],
            actions=["s3:ListBucket"],
            resources=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{CLOUDFRONT_LOG_PREFIX}*"]}},
        )
    )
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            sid="OpsReportReadsTheCloudFrontLogs",
            principals=[reader],
            actions=["s3:GetObject"],
            resources=[bucket.arn_for_objects(f"{CLOUDFRONT_LOG_PREFIX}*")],
        )
    )
