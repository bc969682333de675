"""Where a scheduled job's results go: the reports bucket and the alarm topic.

The ops task writes nothing else. Without a bucket or a topic (a person running a job by
hand) the files stay in the local output directory and the summary is only printed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from portfolio.cloud import Aws, error_code
from portfolio.errors import SourceError

CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
}
SUBJECT_MAX = 100
"""SNS refuses longer e-mail subjects."""


@dataclass(frozen=True)
class Delivery:
    """The reports bucket and the topic of one environment (either may be absent)."""

    aws: Aws
    bucket: str | None = None
    topic_arn: str | None = None

    def put_file(self, key: str, path: Path) -> str | None:
        """Upload ``path`` under ``key``; the key, or None when there is no bucket."""
        if self.bucket is None:
            return None
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        self._call("S3 PutObject", lambda s3: s3.upload_file(
            str(path), self.bucket, key, ExtraArgs={"ContentType": content_type}
        ), "s3")  # fmt: skip
        return key

    def put_json(self, key: str, data: Any) -> str | None:
        if self.bucket is None:
            return None
        body = json.dumps(data, indent=2, ensure_ascii=False).encode()
        self._call("S3 PutObject", lambda s3: s3.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=CONTENT_TYPES[".json"]
        ), "s3")  # fmt: skip
        return key

    def publish(self, subject: str, message: str) -> str | None:
        """Publish to the topic; the message id, or None when there is no topic."""
        if self.topic_arn is None:
            return None
        answer = self._call("SNS Publish", lambda sns: sns.publish(
            TopicArn=self.topic_arn, Subject=subject[:SUBJECT_MAX], Message=message
        ), "sns")  # fmt: skip
        return str(answer["MessageId"])

    def _call(self, what: str, call: Any, service: str) -> Any:
        try:
            return call(self.aws.client(service))
        except ClientError as err:
            raise SourceError(f"{what} refused: {error_code(err)}") from err
