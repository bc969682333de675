"""What a scheduled job writes to, made for a test: the store's tables in DynamoDB Local,
the reports bucket and the summary topic in moto, with a queue that reads the topic."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from portfolio.store.dynamodb import DynamoDBStore
from tests.dynamodb_local import new_table_prefix, shared_client
from tests.sources.moto_aws import REGION, Moto


@dataclass
class OpsTargets:
    prefix: str
    store: DynamoDBStore
    bucket: str
    topic_arn: str
    s3: Any
    sqs: Any
    queue: str

    @property
    def topic_name(self) -> str:
        return self.topic_arn.rsplit(":", 1)[-1]

    def environment(self, dynamodb_endpoint: str) -> dict[str, str]:
        """The ops task's environment variables for these targets."""
        return {
            "PORTFOLIO_STORE__BACKEND": "dynamodb",
            "PORTFOLIO_STORE__DYNAMODB_ENDPOINT_URL": dynamodb_endpoint,
            "PORTFOLIO_STORE__USERS_TABLE": self.store.users_table,
            "PORTFOLIO_STORE__METRICS_TABLE": self.store.metrics_table,
            "PORTFOLIO_OPS_REPORTS_BUCKET": self.bucket,
            "PORTFOLIO_OPS_TOPIC_ARN": self.topic_arn,
        }

    def messages(self) -> list[dict[str, Any]]:
        """The summaries the topic received since the last call (read and deleted)."""
        answer = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)
        received = answer.get("Messages", [])
        for message in received:
            self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(m["Body"]) for m in received]

    def keys(self, prefix: str) -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for o in listed.get("Contents", []))


def make_ops_targets(moto: Moto) -> OpsTargets:
    """Fresh tables, bucket and topic (named after one new prefix); delete the tables after."""
    prefix = new_table_prefix()
    store = DynamoDBStore(
        shared_client(),
        users_table=f"{prefix}-portfolio-users",
        metrics_table=f"{prefix}-portfolio-metrics",
    )
    store.create_tables()
    s3, sns, sqs = moto.client("s3"), moto.client("sns"), moto.client("sqs")
    bucket = f"reports-{prefix}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    topic = sns.create_topic(Name=f"ops-{prefix}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"mail-{prefix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return OpsTargets(prefix, store, bucket, topic, s3, sqs, queue)
