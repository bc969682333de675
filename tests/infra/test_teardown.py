"""Teardown frees what it created; image scanning touches the API image's repository only."""

from __future__ import annotations

import re
from typing import Any

from portfolio.infra.assembly import Assembly, StackTemplate


def _secrets(assembly: Assembly) -> list[tuple[str, dict[str, Any]]]:
    return [
        (logical_id, body)
        for stack in assembly.stacks
        for logical_id, body in stack.template.get("Resources", {}).items()
        if body["Type"] == "AWS::SecretsManager::Secret"
    ]


def test_secrets_are_deleted_with_their_stack_in_both_designs(
    assembly: Assembly, serverless_assembly: Assembly
) -> None:
    # CloudFormation deletes a Secret without a recovery window; a retained one deleted by
    # hand keeps its name reserved for 30 days and the next deploy fails on it.
    for design in (assembly, serverless_assembly):
        secrets = _secrets(design)
        assert len(secrets) == 2, [s for s, _ in secrets]
        for logical_id, body in secrets:
            assert body.get("DeletionPolicy", "Delete") == "Delete", logical_id
            assert body.get("UpdateReplacePolicy", "Delete") == "Delete", logical_id


def _repository_of(image: Any) -> str:
    text = image["Fn::Sub"] if isinstance(image, dict) else str(image)
    return text.split("/", 1)[1].rsplit(":", 1)[0]


def test_scan_on_push_is_set_for_the_api_image_repository_only(api: StackTemplate) -> None:
    (scanning,) = api.of_type("AWS::ECR::RegistryScanningConfiguration")
    (rule,) = scanning.properties["Rules"]
    assert rule["ScanFrequency"] == "SCAN_ON_PUSH"
    (only,) = rule["RepositoryFilters"]
    assert only["FilterType"] == "WILDCARD"
    name = only["Filter"]["Fn::Sub"] if isinstance(only["Filter"], dict) else only["Filter"]
    assert "*" not in name  # one repository, not the registry
    images = {
        _repository_of(c["Image"])
        for t in api.of_type("AWS::ECS::TaskDefinition")
        for c in t.properties["ContainerDefinitions"]
    }
    assert images == {name}
    assert re.fullmatch(r"cdk-\w+-container-assets-\$\{AWS::AccountId\}-[a-z0-9-]+", name)


def test_the_serverless_design_sets_no_registry_scanning(serverless_assembly: Assembly) -> None:
    assert serverless_assembly.of_type("AWS::ECR::RegistryScanningConfiguration") == []
