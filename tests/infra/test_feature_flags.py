"""cdk.json carries CDK's recommended feature flags for the installed aws-cdk-lib.

The set is the one `cdk init` writes (``recommended-feature-flags.json`` in the library's
jsii assembly); an upgrade of aws-cdk-lib that recommends more flags fails this test
until cdk.json has them (and the template diff has been reviewed). A flag set otherwise
must be listed here with its reason.
"""

from __future__ import annotations

import json
import tarfile
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from portfolio.infra.assembly import StackTemplate

REPO = Path(__file__).resolve().parents[2]

NOT_RECOMMENDED_HERE = {
    "@aws-cdk/aws-iam:minimizePolicies": (
        False,
        "it merges the ops role's statements across their Sids; each statement names the"
        " calls that need it, and the permissions test removes one grant at a time by Sid",
    ),
    "@aws-cdk/core:defaultCrossStackReferences": (
        "strong",
        "the web stack (us-east-1) reads the API's origin from the API stack; strong"
        " references keep that stack from being deleted under CloudFront, moving a deployed"
        " app to 'weak' takes a 'both' deployment first (CDK's own note), and cfn-lint"
        " cannot check the serverless origin's Fn::GetStackOutput inside Fn::Split",
    ),
}


def _recommended() -> dict[str, Any]:
    spec = find_spec("aws_cdk")  # found, not imported: importing starts jsii's Node.js
    assert spec is not None
    assert spec.submodule_search_locations
    package = Path(next(iter(spec.submodule_search_locations)))
    jsii = next((package / "_jsii").glob("aws-cdk-lib@*.jsii.tgz"))
    with tarfile.open(jsii) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        flags: dict[str, Any] = json.load(member)
    return flags


def test_cdk_json_sets_every_recommended_flag_or_says_why_not() -> None:
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    expected = _recommended() | {k: v for k, (v, _) in NOT_RECOMMENDED_HERE.items()}
    assert context == expected


def test_the_synthesized_log_bucket_lets_flow_logs_deliver(api: StackTemplate) -> None:
    """With the flags the app (not only the CDK CLI) synthesizes: CDK writes the bucket
    policy statement EC2 would add for flow logs, so a later policy change keeps them."""
    statements = [
        statement
        for policy in api.of_type("AWS::S3::BucketPolicy")
        for statement in policy.properties["PolicyDocument"]["Statement"]
    ]
    assert any(
        statement.get("Principal") == {"Service": "delivery.logs.amazonaws.com"}
        and "vpc-flow" in json.dumps(statement.get("Resource"))
        for statement in statements
    )
