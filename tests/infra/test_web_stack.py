"""The static site: private bucket, CloudFront only, HTTPS only, headers, logs, 5xx alarm."""

from __future__ import annotations

from portfolio.config import KpiTargets
from portfolio.infra.assembly import StackTemplate


def test_web_stack_lives_where_cloudfront_metrics_are(web: StackTemplate) -> None:
    assert web.region == "us-east-1"


def test_site_bucket_is_private_and_read_only_through_origin_access_control(
    web: StackTemplate,
) -> None:
    for bucket in web.of_type("AWS::S3::Bucket"):
        assert all(bucket.properties["PublicAccessBlockConfiguration"].values())
        assert "BucketEncryption" in bucket.properties
    assert len(web.of_type("AWS::CloudFront::OriginAccessControl")) == 1
    config = web.of_type("AWS::CloudFront::Distribution")[0].properties["DistributionConfig"]
    s3_origins = [o for o in config["Origins"] if "S3OriginConfig" in o]
    assert len(s3_origins) == 1
    assert all(o.get("OriginAccessControlId") for o in s3_origins)


def test_distribution_is_https_only_with_security_headers_and_logs(web: StackTemplate) -> None:
    config = web.of_type("AWS::CloudFront::Distribution")[0].properties["DistributionConfig"]
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    # The id of CloudFront's managed SecurityHeadersPolicy.
    assert behavior["ResponseHeadersPolicyId"] == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    assert config["DefaultRootObject"] == "index.html"
    assert config["Logging"]["Bucket"]


def test_cloudfront_5xx_alarm_uses_the_kpi_error_rate(web: StackTemplate) -> None:
    alarms = [
        a
        for a in web.of_type("AWS::CloudWatch::Alarm")
        if a.properties.get("Namespace") == "AWS/CloudFront"
    ]
    assert len(alarms) == 1
    alarm = alarms[0].properties
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/CloudFront", "5xxErrorRate")
    assert alarm["Threshold"] == KpiTargets().error_rate_pct
    assert alarm["AlarmActions"]


def test_site_content_is_deployed_from_web_dir(web: StackTemplate) -> None:
    assert len(web.of_type("Custom::CDKBucketDeployment")) == 1
