"""The monthly check's ECR lookup: the scan findings of the image the service runs.

moto answers DescribeImageScanFindings with whatever its API was seeded with, so the test
seeds a result whose counts it knows and checks that the lookup reads the image the task
definition names (tag or digest) and reports each severity, and that a missing scan or
image becomes an observation with its reason rather than an exception.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from portfolio.checks.aws_monthly import _image_scan, ecr_image
from portfolio.checks.snapshot import ImageScan
from portfolio.cloud import Aws
from portfolio.config import Settings
from tests.sources.moto_aws import REGION, Moto

REPOSITORY = "portfolio-api-scan-test"
ORDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")


def _service_running(moto: Moto, image: str) -> dict[str, Any]:
    """A service-shaped dict whose task definition runs ``image`` (all _image_scan reads)."""
    td = moto.client("ecs").register_task_definition(
        family="portfolio-api-scan-test",
        containerDefinitions=[{"name": "api", "image": image, "memory": 512}],
    )["taskDefinition"]
    return {"taskDefinition": td["taskDefinitionArn"]}


def _pushed_image(moto: Moto, tag: str) -> str:
    """Push a manifest to moto's ECR; return the image's URI with ``tag``."""
    ecr = moto.client("ecr")
    try:
        registry = ecr.create_repository(repositoryName=REPOSITORY)["repository"]
    except ecr.exceptions.RepositoryAlreadyExistsException:
        registry = ecr.describe_repositories(repositoryNames=[REPOSITORY])["repositories"][0]
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"digest": f"sha256:{tag:0>64}"},
        "layers": [],
    }
    ecr.put_image(repositoryName=REPOSITORY, imageManifest=json.dumps(manifest), imageTag=tag)
    return f"{registry['repositoryUri']}:{tag}"


def _seed_findings(moto: Moto, tag: str, counts: dict[str, int]) -> None:
    """Scan the image (as scan-on-push would) and seed the findings moto will answer."""
    moto.client("ecr").start_image_scan(repositoryName=REPOSITORY, imageId={"imageTag": tag})
    result = {
        "imageScanFindings": {"findings": [], "findingSeverityCounts": counts},
        "registryId": "123456789012",
        "repositoryName": REPOSITORY,
        "imageId": {"imageTag": tag},
        "imageScanStatus": {"status": "COMPLETE", "description": "seeded by the test"},
    }
    response = httpx.post(
        f"{moto.endpoint}/moto-api/static/ecr/scan-finding-results",
        json={"results": [result], "region": REGION},
    )
    response.raise_for_status()


def test_the_lookup_reads_each_severity_of_the_running_image(moto: Moto) -> None:
    image = _pushed_image(moto, "v1")
    _seed_findings(moto, "v1", {"HIGH": 2, "LOW": 3})
    scan = _image_scan(Aws(Settings(), moto.endpoint), _service_running(moto, image))
    expected = {"HIGH": 2, "LOW": 3}
    assert scan == ImageScan(
        image=f"{REPOSITORY}:v1", counts=tuple((s, expected.get(s, 0)) for s in ORDER)
    )


def test_an_image_ecr_does_not_hold_is_reported_with_its_reason(moto: Moto) -> None:
    uri = _pushed_image(moto, "v2").rsplit(":", 1)[0] + ":never-pushed"
    scan = _image_scan(Aws(Settings(), moto.endpoint), _service_running(moto, uri))
    assert scan is not None
    assert (scan.image, scan.counts) == (f"{REPOSITORY}:never-pushed", ())
    assert scan.error in ("ImageNotFoundException", "ScanNotFoundException")


def test_images_from_other_registries_have_no_ecr_scan(moto: Moto) -> None:
    aws = Aws(Settings(), moto.endpoint)
    assert _image_scan(aws, _service_running(moto, "public.ecr.aws/docker/library/nginx:1")) is None
    assert _image_scan(aws, None) is None


def test_ecr_uris_are_parsed_by_tag_and_by_digest() -> None:
    host = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
    assert ecr_image(f"{host}/api:v3") == ("api", {"imageTag": "v3"}, "api:v3")
    assert ecr_image(f"{host}/api") == ("api", {"imageTag": "latest"}, "api:latest")
    digest = "sha256:" + "ab" * 32
    assert ecr_image(f"{host}/api@{digest}") == (
        "api",
        {"imageDigest": digest},
        f"api@{digest[:19]}",
    )
    assert ecr_image("nginx:1") is None
