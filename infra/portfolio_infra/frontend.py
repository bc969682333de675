"""Frontend: the static site in a private bucket, served only through CloudFront.

Origin Access Control lets CloudFront (and nothing else) read the bucket; viewers must
use HTTPS; the managed security-headers policy adds HSTS, X-Content-Type-Options,
X-Frame-Options, Referrer-Policy and X-XSS-Protection; access logs go to a log bucket.

The API is a second origin of the same distribution: ``/api/*`` and ``/health`` go to the
API, uncached, with every viewer header but Host. The site then calls its own origin
over HTTPS (no CORS, no mixed content). In the original design the API origin is a
CloudFront VPC origin: CloudFront reaches the internal load balancer privately, inside
the VPC, and nothing on the internet can reach it at all. CloudFront still adds the
origin-verify header the load balancer (or the serverless design's function) requires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from portfolio_infra.log_archive import CLOUDFRONT_LOG_PREFIX

INDEX = "index.html"
API_PATHS = ("/api/*", "/health", "/livez")


@dataclass(frozen=True, kw_only=True)
class ApiOrigin:
    """Where CloudFront sends API requests, and the header that proves they came from it."""

    domain_name: str
    https: bool
    """HTTPS to the origin needs a name its certificate covers; else HTTP to the ALB's name."""
    header_name: str
    header_value: str
    load_balancer: elbv2.IApplicationLoadBalancer | None = None
    """An internal load balancer: reached through a VPC origin (``domain_name`` is then
    the name its certificate covers when ``https``, else the load balancer's own)."""


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
        api_origin: ApiOrigin | None = None,
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
            log_file_prefix=CLOUDFRONT_LOG_PREFIX,
        )
        if api_origin is not None:
            origin = _api_origin(api_origin)
            for path in API_PATHS:
                self.distribution.add_behavior(
                    path,
                    origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                    compress=True,
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


def _api_origin(api: ApiOrigin) -> cloudfront.IOrigin:
    """A VPC origin to an internal load balancer, else an HTTP origin by name."""
    protocol = (
        cloudfront.OriginProtocolPolicy.HTTPS_ONLY
        if api.https
        else cloudfront.OriginProtocolPolicy.HTTP_ONLY
    )
    if api.load_balancer is not None:
        return origins.VpcOrigin.with_application_load_balancer(
            api.load_balancer,
            domain_name=api.domain_name if api.https else None,
            protocol_policy=protocol,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            custom_headers={api.header_name: api.header_value},
            read_timeout=Duration.seconds(30),
        )
    return origins.HttpOrigin(
        api.domain_name,
        protocol_policy=protocol,
        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        custom_headers={api.header_name: api.header_value},
        read_timeout=Duration.seconds(30),
    )


def _config(api_base_url: str | None) -> list[s3deploy.ISource]:
    """web/config.js with the API's URL, replacing the checkout's same-origin default."""
    if api_base_url is None:
        return []
    body = f"export const API_BASE = {json.dumps(api_base_url.rstrip('/'))};\n"
    return [s3deploy.Source.data("config.js", body)]
