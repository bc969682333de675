"""Scan-on-push for the API image's repository only, never the whole registry.

The image is pushed by ``cdk deploy`` into CDK's container-assets repository (created by
``cdk bootstrap``, so no stack of ours owns it and can set the repository's own
``imageScanningConfiguration``), or into the repository CI names with
``image_repository``. ECR's registry scanning configuration is where a repository we
do not own gets scan-on-push; its rule is narrowed by a repository filter to that one
repository's exact name (a WILDCARD filter without ``*`` matches one name), so other
repositories of the account keep no scanning they did not ask for, and the monthly
check reads the findings of the image the service runs.

A registry has one scanning configuration per region: deploying this replaces rules an
account set elsewhere (docs/deploy.md says so); only production sets it, as staging
shares the same repository.
"""

from __future__ import annotations

from aws_cdk import aws_ecr as ecr
from constructs import Construct


def image_scanning(
    scope: Construct, *, repository_name: str
) -> ecr.CfnRegistryScanningConfiguration:
    """Basic (free) scan on every push to ``repository_name`` and to no other repository."""
    return ecr.CfnRegistryScanningConfiguration(
        scope,
        "ImageScanOnPush",
        scan_type="BASIC",
        rules=[
            ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                scan_frequency="SCAN_ON_PUSH",
                repository_filters=[
                    ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(
                        filter=repository_name, filter_type="WILDCARD"
                    )
                ],
            )
        ],
    )
