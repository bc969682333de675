"""cdk-nag: the AwsSolutions pack and every acknowledgement, each with its reason.

Acknowledgements are attached to the narrowest construct that carries the finding, so a
new resource with the same problem elsewhere is still reported.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Stack, Token, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge ``rule`` on ``construct``.

    ``<AWS::Partition>`` in a resource ARN is written as cdk-nag prints it: CDK formats
    the ARNs it builds with the literal partition where it knows it (the recommended flag
    ``@aws-cdk/core:target-partitions`` and a stack with a region), while AWS managed
    policies' ARNs keep the reference.
    """
    partition = Stack.of(construct).partition
    if "[Resource::" in rule and not Token.is_unresolved(partition):
        rule = rule.replace("<AWS::Partition>", partition)
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))


def apply_checks(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def bucket_deployment_handlers(stack: Stack) -> list[IConstruct]:
    """The singleton Lambda that CDK's BucketDeployment adds at the stack's root."""
    return [
        child
        for child in stack.node.children
        if child.node.id.startswith("Custom::CDKBucketDeployment")
    ]


AWS_CUSTOM_RESOURCE_ID = "AWS679f53fac002430cb0da5b7982bd2287"
"""The logical id CDK gives the singleton function behind every AwsCustomResource."""


def aws_custom_resource_handlers(stack: Stack) -> list[IConstruct]:
    """The singleton Lambda that CDK's AwsCustomResource adds at the stack's root."""
    return [child for child in stack.node.children if child.node.id == AWS_CUSTOM_RESOURCE_ID]
