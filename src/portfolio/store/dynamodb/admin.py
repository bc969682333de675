"""Table administration and liveness: create and delete the tables, ping them.

On AWS the CDK app owns the tables; ``create_tables`` serves DynamoDB Local
(``portfolio store init``, the tests).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from portfolio.store import keys
from portfolio.store.callstats import CallNote, current_note
from portfolio.store.dynamodb.client import DynamoCalls, err_code


class DynamoAdmin(DynamoCalls):
    """Creating, deleting and pinging the tables."""

    def change_token(self) -> None:
        """None: other tasks write the tables at any moment, and asking costs a read."""

    def ping(self) -> None:
        """Read a key no item has from both tables in one call: they exist and answer."""
        note = current_note()
        self._call(
            note,
            self._client.batch_get_item,
            RequestItems={
                self.users_table: {"Keys": [keys.PING_KEY]},
                self.metrics_table: {"Keys": [keys.PING_KEY]},
            },
            ReturnConsumedCapacity="TOTAL",
        )

    def close(self) -> None:
        self._client.close()

    def create_tables(self) -> list[tuple[str, bool]]:
        """Create the tables of ``keys.TABLES`` that are missing, on-demand; idempotent.

        Returns each table's name and whether it was created now. Used for DynamoDB
        Local (``portfolio store init``, the tests); on AWS the CDK app owns them.
        """
        table_names = {keys.USERS.name: self.users_table, keys.METRICS.name: self.metrics_table}
        results = []
        note = CallNote()
        for schema in keys.TABLES:
            name = table_names[schema.name]
            created = self._create_table(note, schema, name)
            self._client.get_waiter("table_exists").wait(
                TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
            )
            if schema.ttl_attribute is not None:
                self._enable_ttl(note, name, schema.ttl_attribute)
            results.append((name, created))
        return results

    def _create_table(self, note: CallNote, schema: keys.TableSchema, name: str) -> bool:
        attributes: dict[str, str] = {}

        def key_schema(pk: keys.KeyAttribute, sk: keys.KeyAttribute | None) -> list[dict[str, Any]]:
            parts: list[dict[str, Any]] = []
            for attr, kind in ((pk, "HASH"), (sk, "RANGE")):
                if attr is not None:
                    attributes[attr.name] = attr.type
                    parts.append({"AttributeName": attr.name, "KeyType": kind})
            return parts

        params: dict[str, Any] = {
            "TableName": name,
            "KeySchema": key_schema(schema.partition_key, schema.sort_key),
            "BillingMode": "PAY_PER_REQUEST",
        }
        if schema.global_indexes:
            params["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": key_schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in schema.global_indexes
            ]
        params["AttributeDefinitions"] = [
            {"AttributeName": n, "AttributeType": t} for n, t in attributes.items()
        ]
        try:
            self._call(note, self._client.create_table, **params)
        except ClientError as err:
            if err_code(err) == "ResourceInUseException":
                return False
            raise
        return True

    def _enable_ttl(self, note: CallNote, name: str, attribute: str) -> None:
        described = self._call(note, self._client.describe_time_to_live, TableName=name)
        status = described.get("TimeToLiveDescription", {}).get("TimeToLiveStatus")
        if status in ("ENABLED", "ENABLING"):
            return
        self._call(
            note,
            self._client.update_time_to_live,
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
        )

    def delete_tables(self) -> None:
        """Delete both tables (tests and local clean-up); missing ones are fine."""
        for name in (self.users_table, self.metrics_table):
            try:
                self._client.delete_table(TableName=name)
            except ClientError as err:
                if err_code(err) != "ResourceNotFoundException":
                    raise
