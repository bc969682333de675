"""The evaluator and the ARN rules the permissions test relies on: they must be able to fail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.permissions.arns import Account, Need, build_call
from tests.permissions.policy import Policy, Template, matches

ACCOUNT = Account()
REGION = "ap-northeast-1"


def _policy(*statements: dict[str, Any]) -> Policy:
    return Policy(tuple(statements))


def _call(signing: str, operation: str, **params: Any) -> Any:
    return build_call(signing, operation, params, region=REGION, account=ACCOUNT)


def test_wildcards_star_and_question_mark_and_nothing_else() -> None:
    assert matches("arn:aws:s3:::portfolio-*", "arn:aws:s3:::portfolio-logs")
    assert matches("secret:k-??????", "secret:k-AbCdEf")
    assert not matches("secret:k-??????", "secret:k-AbCdE")
    assert not matches("arn:aws:s3:::a.b", "arn:aws:s3:::aXb")  # a dot is a dot
    assert matches("DynamoDB:query", "dynamodb:Query", ignore_case=True)
    assert not matches("table/T", "table/t")


def test_a_grant_on_a_table_does_not_cover_its_indexes() -> None:
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT.id}:table/users"
    policy = _policy({"Effect": "Allow", "Action": "dynamodb:Query", "Resource": table})
    assert policy.decide(_call("dynamodb", "Query", TableName="users"))
    by_index = _call("dynamodb", "Query", TableName="users", IndexName="by-created")
    assert by_index.resources == (f"{table}/index/by-created",)
    assert not policy.decide(by_index)


def test_an_explicit_deny_wins_over_any_allow() -> None:
    policy = _policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/secret/*"},
    )
    assert policy.decide(_call("s3", "PutObject", Bucket="b", Key="open/x"))
    assert not policy.decide(_call("s3", "PutObject", Bucket="b", Key="secret/x"))


def test_not_action_and_unknown_calls() -> None:
    policy = _policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert policy.decide(_call("monitoring", "GetMetricData"))  # IAM prefix cloudwatch
    assert not policy.decide(_call("iam", "GetRolePolicy", RoleName="r", PolicyName="p"))
    unknown = _call("ecs", "RunTask", taskDefinition="x")
    assert not unknown.known
    assert not policy.decide(unknown)  # no rule: never allowed by guess


def test_conditions_must_hold_for_the_allow_to_count() -> None:
    policy = _policy(
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::logs",
            "Condition": {"StringLike": {"s3:prefix": ["alb/*"]}},
        }
    )
    assert policy.decide(_call("s3", "ListObjectsV2", Bucket="logs", Prefix="alb/2025/"))
    assert not policy.decide(_call("s3", "ListObjectsV2", Bucket="logs", Prefix="other/"))
    assert not policy.decide(_call("s3", "ListObjectsV2", Bucket="logs"))


def test_restore_needs_the_source_and_writes_on_the_scratch_table() -> None:
    call = _call(
        "dynamodb", "RestoreTableToPointInTime", SourceTableName="t", TargetTableName="t-copy"
    )
    scratch = f"arn:aws:dynamodb:{REGION}:{ACCOUNT.id}:table/t-copy"
    assert call.needs[0] == Need(
        "dynamodb:RestoreTableToPointInTime", f"arn:aws:dynamodb:{REGION}:{ACCOUNT.id}:table/t"
    )
    assert Need("dynamodb:BatchWriteItem", scratch) in call.needs


def test_ecs_services_are_named_in_their_cluster() -> None:
    call = _call("ecs", "DescribeServices", cluster="c", services=["s"])
    assert call.resources == (f"arn:aws:ecs:{REGION}:{ACCOUNT.id}:service/c/s",)
    nameless = _policy(
        {"Effect": "Allow", "Action": "ecs:DescribeServices",
         "Resource": f"arn:aws:ecs:{REGION}:{ACCOUNT.id}:service"}
    )  # fmt: skip
    assert not nameless.decide(call)  # the grant CDK made from a plain dict


TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Table1": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "users"}},
        "Bucket1": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Topic1": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Role1": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Policy1": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "Role1"}],
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Sid": "Q",
                            "Effect": "Allow",
                            "Action": "dynamodb:Query",
                            "Resource": [
                                {"Fn::GetAtt": ["Table1", "Arn"]},
                                {"Fn::Join": ["", [{"Fn::GetAtt": ["Table1", "Arn"]}, "/index/*"]]},
                            ],
                        },
                        {
                            "Sid": "P",
                            "Effect": "Allow",
                            "Action": ["s3:PutObject", "sns:Publish"],
                            "Resource": [
                                {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket1}/r/*"},
                                {"Ref": "Topic1"},
                            ],
                        },
                    ]
                },
            },
        },
    }
}


def test_the_template_resolves_to_the_stand_ins_arns() -> None:
    template = Template(TEMPLATE, REGION, ACCOUNT, {"Bucket1": "reports-x", "Topic1": "ops-x"})
    policy = template.role_policy("Role1")
    assert policy.decide(_call("dynamodb", "Query", TableName="users", IndexName="i"))
    assert policy.decide(_call("s3", "PutObject", Bucket="reports-x", Key="r/a.json"))
    assert not policy.decide(_call("s3", "PutObject", Bucket="reports-y", Key="r/a.json"))
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT.id}:ops-x"
    assert policy.decide(_call("sns", "Publish", TopicArn=topic, Message="m"))
    less = policy.without(
        "Q", resource=f"arn:aws:dynamodb:{REGION}:{ACCOUNT.id}:table/users/index/*"
    )
    assert not less.decide(_call("dynamodb", "Query", TableName="users", IndexName="i"))
    assert less.decide(_call("dynamodb", "Query", TableName="users"))
    with pytest.raises(KeyError):
        policy.without("nothing")
