"""Finding access-log files: local files, directories (recursively) and s3:// prefixes.

Both log sources (ALB and CloudFront) read the same kinds of input, and both
read in batches so that memory stays bounded however many files a month has.
S3 objects are downloaded a batch at a time into a temporary directory and
deleted once read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio.errors import InputError, SourceError

LOG_SUFFIXES = (".log", ".gz", ".txt")
IGNORED_NAMES = frozenset({"ELBAccessLogTestFile"})  # written by ELB to test the bucket policy
BATCH_BYTES = 64 * 1024 * 1024
BATCH_FILES = 256


@dataclass(frozen=True, slots=True)
class LogFile:
    """One input file: a local path, or an S3 object downloaded when its batch is read."""

    name: str
    size: int
    path: Path | None = None
    bucket: str | None = None
    key: str | None = None


def find_files(inputs: Sequence[str], *, endpoint_url: str | None = None) -> list[LogFile]:
    """Every log file named by the inputs, sorted; InputError for a missing path."""
    if not inputs:
        raise InputError("no log paths given (--logs PATH or s3://bucket/prefix)")
    found: list[LogFile] = []
    for item in inputs:
        if item.startswith("s3://"):
            found.extend(_list_s3(item, endpoint_url))
            continue
        path = Path(item)
        if path.is_file():
            found.append(LogFile(name=str(path), size=path.stat().st_size, path=path))
        elif path.is_dir():
            found.extend(
                LogFile(name=str(p), size=p.stat().st_size, path=p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.name.endswith(LOG_SUFFIXES) and p.name not in IGNORED_NAMES
            )
        else:
            raise InputError(f"no such log file or directory: {item}")
    for f in found:
        if f.path is not None:
            _check_readable(f.path)
    return found


def _check_readable(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as err:
        raise InputError(f"cannot read log file {path}: {err.strerror or err}") from err


def batches(files: Sequence[LogFile]) -> Iterator[list[LogFile]]:
    """Runs of files of about BATCH_BYTES each: big enough to keep both cores busy."""
    batch: list[LogFile] = []
    size = 0
    for f in files:
        batch.append(f)
        size += f.size
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class Materialized:
    """Local paths for a batch: S3 objects downloaded into a temporary directory."""

    def __init__(self, endpoint_url: str | None) -> None:
        self.endpoint_url = endpoint_url
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._client: Any = None

    def paths(self, batch: Sequence[LogFile]) -> list[tuple[str, LogFile]]:
        out = []
        for index, f in enumerate(batch):
            if f.path is not None:
                out.append((str(f.path), f))
                continue
            if self._tmp is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="portfolio-logs-")
            target = Path(self._tmp.name) / f"{index:05d}-{Path(f.key or 'log').name}"
            _download(self._s3(), f, target)
            out.append((str(target), f))
        return out

    def release(self) -> None:
        """Delete this batch's downloads."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _s3(self) -> Any:
        if self._client is None:
            self._client = s3_client(self.endpoint_url)
        return self._client


def s3_client(endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url)


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if not bucket:
        raise InputError(f"not an s3://bucket/prefix address: {uri}")
    return bucket, prefix


def _list_s3(uri: str, endpoint_url: str | None) -> list[LogFile]:
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = _split_s3(uri)
    client = s3_client(endpoint_url)
    found: list[LogFile] = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                name = key.rsplit("/", 1)[-1]
                if name.endswith(LOG_SUFFIXES) and name not in IGNORED_NAMES:
                    found.append(
                        LogFile(
                            name=f"s3://{bucket}/{key}", size=obj["Size"], bucket=bucket, key=key
                        )
                    )
    except ClientError as err:
        code = err.response["Error"]["Code"]
        if code in ("NoSuchBucket", "AccessDenied", "AllAccessDisabled", "InvalidBucketName"):
            raise InputError(f"cannot list {uri}: {code}") from err
        raise
    except BotoCoreError as err:
        raise SourceError(f"cannot list {uri}: {err}") from err
    if not found:
        raise InputError(f"no log files under {uri}")
    return found


def _download(client: Any, f: LogFile, target: Path) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.download_file(f.bucket, f.key, str(target))
    except ClientError as err:
        code = err.response["Error"]["Code"]
        if code in ("NoSuchKey", "404", "AccessDenied", "403"):
            raise InputError(f"cannot read {f.name}: {code}") from err
        raise
    except BotoCoreError as err:
        raise SourceError(f"cannot read {f.name}: {err}") from err
