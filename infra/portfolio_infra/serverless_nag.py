"""cdk-nag acknowledgements of the serverless design's API stack, each with its reason.

Attached to the narrowest construct, as portfolio_infra.build does for the original.
"""

from __future__ import annotations

from aws_cdk import Stack
from constructs import IConstruct

from portfolio.store import keys
from portfolio_infra import nag
from portfolio_infra.serverless_stack import ServerlessApiStack


def _id(stack: Stack, construct: IConstruct) -> str:
    return stack.get_logical_id(construct.node.default_child)  # type: ignore[arg-type]


def _table_arn(stack: ServerlessApiStack, name: str) -> str:
    """How cdk-nag prints a table's ARN: a reference if created here, else by its name."""
    table = stack.data.tables[name]
    if stack.settings.existing_tables:
        return (
            f"arn:<AWS::Partition>:dynamodb:{stack.region}:<AWS::AccountId>:table/"
            f"{stack.settings.resource_name(name)}"
        )
    return f"<{_id(stack, table)}.Arn>"


def _table_name(stack: ServerlessApiStack, name: str) -> str:
    if stack.settings.existing_tables:
        return stack.settings.resource_name(name)
    return f"<{_id(stack, stack.data.tables[name])}>"


def acknowledge_serverless(stack: ServerlessApiStack) -> None:
    api, ops = stack.api, stack.operations
    nag.acknowledge(
        stack.log_archive.bucket,
        "AwsSolutions::AwsSolutions-S1",
        "This is the access-log destination; logging it into itself would loop.",
    )
    nag.acknowledge(
        api.api_keys_secret,
        "AwsSolutions::AwsSolutions-SMG4",
        "API keys are opaque values handed to clients; rotating them needs the clients"
        " to change too, so operators rotate by editing the secret (docs/deploy.md).",
    )
    nag.acknowledge(
        api.origin_secret,
        "AwsSolutions::AwsSolutions-SMG4",
        "The origin-verify value is shared by CloudFront and the function; rotating it"
        " means redeploying both stacks (docs/deploy.md).",
    )
    for function in (api.function, ops.function):
        nag.acknowledge(
            function,
            "AwsSolutions::AwsSolutions-L1",
            "Pinned to Python 3.12, the version the dependency layer's wheels are resolved"
            " for (portfolio_infra.lambda_package); both move together.",
        )
    nag.acknowledge(
        api.function,
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
        "service-role/AWSLambdaBasicExecutionRole]",
        "The basic execution policy only lets the function write its own logs.",
    )
    users = _table_arn(stack, keys.USERS.name)
    nag.acknowledge(
        api.function,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::{users}/index/*]",
        "The wildcard covers only the global secondary indexes of the function's own"
        " table, which the grant must include for queries on them.",
    )
    reports = _id(stack, ops.reports_bucket)
    reasons = {
        "Resource::*": "Read-only calls without resource-level permissions (GetMetricData,"
        " GetCostAndUsage, Route 53/CloudFront/Logs lists, ListAllMyBuckets,"
        " CloudTrail LookupEvents, DynamoDB ListTables for the restore test's sweep of"
        " stale scratch tables); each is named in portfolio_infra/serverless.py or"
        " portfolio_infra/operations.py.",
        "Resource::arn:<AWS::Partition>:s3:::portfolio-*": "The monthly checks read the"
        " encryption, public-access block and logging of the project's buckets; read-only.",
        f"Resource::<{reports}.Arn>/checks/*": "The jobs put results under checks/.",
        f"Resource::<{reports}.Arn>/reports/*": "The jobs put reports under reports/.",
        "Resource::arn:<AWS::Partition>:logs:"
        f"{stack.region}:<AWS::AccountId>:log-group:/aws/lambda/<{_id(stack, api.function)}>:*": (
            "The daily check filters the API function's log streams (FilterLogEvents)."
        ),
    }
    for name in stack.data.tables:
        reasons[f"Resource::{_table_arn(stack, name)}/index/*"] = (
            "The report lists users through the table's indexes (Query); a grant on the"
            " table does not cover them."
        )
        reasons[
            f"Resource::arn:<AWS::Partition>:dynamodb:{stack.region}:<AWS::AccountId>:"
            f"table/{_table_name(stack, name)}-restore-test-*"
        ] = (
            "The restore test restores into a scratch table named <table>-restore-test-<time>,"
            " scans it and deletes it; the name is only known at run time."
        )
    for finding, reason in reasons.items():
        nag.acknowledge(ops.role, f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason)
    for child in stack.node.children:
        if child.node.id.startswith("SchedulerRoleForTarget"):
            nag.acknowledge(
                child,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::<{_id(stack, ops.function)}.Arn>:*]",
                "Scheduler's role may invoke the ops function and its versions (CDK's grant).",
            )
    _acknowledge_restore_machine(stack)


def _acknowledge_restore_machine(stack: ServerlessApiStack) -> None:
    """The monthly state machine's role: CDK's grants for its tasks, logs and tracing."""
    ops = stack.operations
    role = ops.restore_machine.state_machine.role
    reasons = {
        f"Resource::<{_id(stack, ops.function)}.Arn>:*": "The state machine invokes the ops"
        " function (and its versions: CDK's grant) for the restore steps and the checklist.",
        "Resource::*": "Step Functions' log delivery and X-Ray calls have no resource-level"
        " permissions (CDK's grants for logging level ALL and tracing).",
    }
    for name in stack.data.tables:
        reasons[
            f"Resource::arn:<AWS::Partition>:dynamodb:{stack.region}:<AWS::AccountId>:"
            f"table/{_table_name(stack, name)}-restore-test-*"
        ] = (
            "The wait loop polls DescribeTable on this run's scratch copy, named"
            " <table>-restore-test-<time> at run time; nothing else."
        )
    for finding, reason in reasons.items():
        nag.acknowledge(role, f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason)
