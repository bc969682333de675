"""Data: the two DynamoDB tables, built from the key schema in portfolio.store.keys.

Encryption uses the AWS managed KMS key (aws/dynamodb): KMS-backed and visible in
CloudTrail, unlike the original's AWS owned "AES256" default, without the $1/month of a
customer managed key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from portfolio.store import keys

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(key: keys.KeyAttribute) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_TYPES[key.type])


def _optional(key: keys.KeyAttribute | None) -> dynamodb.Attribute | None:
    return None if key is None else _attribute(key)


class Data(Construct):
    """One on-demand, point-in-time-recoverable, deletion-protected table per schema.

    On-demand tables get a maximum throughput: the ceiling a runaway cannot pass, and
    the reference the report measures consumed capacity against.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        schemas: Sequence[keys.TableSchema] = keys.TABLES,
        table_name: Callable[[str], str],
        max_read_units_per_s: int,
        max_write_units_per_s: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.tables: dict[str, dynamodb.Table] = {}
        for schema in schemas:
            table = dynamodb.Table(
                self,
                schema.name,
                table_name=table_name(schema.name),
                partition_key=_attribute(schema.partition_key),
                sort_key=_optional(schema.sort_key),
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                max_read_request_units=max_read_units_per_s,
                max_write_request_units=max_write_units_per_s,
                encryption=dynamodb.TableEncryption.AWS_MANAGED,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                deletion_protection=True,
                time_to_live_attribute=schema.ttl_attribute,
                removal_policy=RemovalPolicy.RETAIN,
            )
            for index in schema.global_indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=_attribute(index.partition_key),
                    sort_key=_optional(index.sort_key),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            self.tables[schema.name] = table
        self.users = self.tables[keys.USERS.name]
        self.metrics = self.tables[keys.METRICS.name]
