"""s3://bucket/prefix inputs: listed, downloaded a batch at a time, read like local files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from portfolio.errors import InputError
from portfolio.sources.alb_logs import scan_alb
from portfolio.sources.logfiles import find_files
from tests.sources.conftest import Generated


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(
            Bucket="alb-logs", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
        )
        yield "alb-logs"


def test_s3_prefix_reads_like_the_local_tree(month_logs: Generated, bucket: str) -> None:
    s3 = boto3.client("s3")
    files = sorted(p for p in month_logs.tree.rglob("*.gz"))[:48]  # two days are enough
    for path in files:
        key = "prod/" + path.relative_to(month_logs.tree).as_posix()
        s3.upload_file(str(path), bucket, key)
    s3.put_object(Bucket=bucket, Key="prod/AWSLogs/123456789012/ELBAccessLogTestFile", Body=b"x")

    remote = scan_alb(find_files([f"s3://{bucket}/prod/AWSLogs/"]))
    local = scan_alb(find_files([str(p) for p in files]))
    assert remote.files == local.files == 48
    assert remote.requests == local.requests > 0
    assert remote.lines == local.lines
    assert (remote.hourly["n"] == local.hourly["n"]).all()


def test_missing_bucket_and_empty_prefix_are_input_errors(bucket: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="NoSuchBucket"):
        find_files(["s3://no-such-bucket/logs/"])
    with pytest.raises(InputError, match="no log files under"):
        find_files([f"s3://{bucket}/empty/"])
