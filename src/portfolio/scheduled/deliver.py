"""Where a scheduled job's results go: the reports bucket and the alarm topic.

The ops task writes nothing else. Without a bucket or a topic (a person running a job by
hand) the files stay in the local output directory and the summary is only printed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
PRESIGN_SECONDS = 7 * 24 * 3600
"""SigV4's longest presigned URL (604,800 s). Asked for, but the URL also ends when the
credentials that signed it expire: a task or Lambda role's session lasts hours."""


@dataclass(frozen=True)
class Link:
    """A presigned GET of one file, and until when it really works."""

    label: str
    url: str
    valid_until: datetime
    limited_by_credentials: bool
    """The signer's session ends before the 7 days asked: ``valid_until`` is its end."""


def link_lifetime(
    signed_at: datetime, credentials_expiry: datetime | None
) -> tuple[datetime, bool]:
    """min(signed_at + 7 days, the credentials' expiry); whether the credentials decide it."""
    requested = signed_at + timedelta(seconds=PRESIGN_SECONDS)
    if credentials_expiry is not None and credentials_expiry < requested:
        return credentials_expiry.astimezone(UTC), True
    return requested, False


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

    def get_bytes(self, key: str) -> bytes | None:
        """The object's content; None when there is no bucket or no such key."""
        if self.bucket is None:
            return None
        try:
            answer = self.aws.client("s3").get_object(Bucket=self.bucket, Key=key)
        except ClientError as err:
            if error_code(err) in ("NoSuchKey", "404"):
                return None
            raise SourceError(f"S3 GetObject refused: {error_code(err)}") from err
        return bytes(answer["Body"].read())

    def list_keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (ListObjectsV2, paged); empty without a bucket."""
        if self.bucket is None:
            return []
        pages = self._call("S3 ListBucket", lambda s3: list(
            s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        ), "s3")  # fmt: skip
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def presign(self, key: str, label: str) -> Link | None:
        """A GET link to ``key``, asked for 7 days; its stated end follows the signer's
        credentials. None without a bucket. Signing calls no AWS API."""
        if self.bucket is None:
            return None
        signed_at = datetime.now(UTC)
        url = self.aws.client("s3", sigv4=True).generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=PRESIGN_SECONDS
        )
        valid_until, limited = link_lifetime(signed_at, self.aws.credentials_expiry())
        return Link(label, str(url), valid_until, limited)

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
