"""Frontend: the static site in a private bucket, served only through CloudFront.

Origin Access Control lets CloudFront (and nothing else) read the bucket; viewers must
use HTTPS; the managed security-headers policy adds HSTS, X-Content-Type-Options,
X-Frame-Options, Referrer-Policy and X-XSS-Protection; access logs go to a log bucket.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

INDEX = "index.html"


class Frontend(Construct):
    """Site bucket, CloudFront distribution and the deployment of ``web/``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        site_dir: Path,
        log_bucket: s3.IBucket,
        api_base_url: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "SiteBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=log_bucket,
            server_access_logs_prefix="s3/site/",
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="portfolio static site",
            default_root_object=INDEX,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=True,
            ),
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            enable_logging=True,
            log_bucket=log_bucket,
            log_file_prefix="cloudfront/",
        )
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deploy",
            sources=[s3deploy.Source.asset(str(site_dir)), *_config(api_base_url)],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )


def _config(api_base_url: str | None) -> list[s3deploy.ISource]:
    """web/config.js with the API's URL, replacing the checkout's same-origin default."""
    if api_base_url is None:
        return []
    body = f"export const API_BASE = {json.dumps(api_base_url.rstrip('/'))};\n"
    return [s3deploy.Source.data("config.js", body)]
