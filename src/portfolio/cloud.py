"""boto3 clients and CloudWatch GetMetricData, shared by the AWS checks and the AWS source.

One place builds clients (region from settings, endpoint override for local stand-ins
such as moto's server) and one place pages through GetMetricData, so both readers of
AWS ask for metrics the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from portfolio import names
from portfolio.config import Design, Settings
from portfolio.errors import SourceError

WEB_REGION = "us-east-1"
"""CloudFront and Route 53 health checks publish metrics only here; the web stack lives here."""


@dataclass(frozen=True)
class Aws:
    """Clients of one account: region from settings, optional endpoint override.

    One boto3 session and one client per (service, region): building a client loads
    its service model (tens of milliseconds), and the checks and the source ask for the
    same few clients many times in one run.
    """

    settings: Settings
    endpoint_url: str | None = None
    max_attempts: int = 5
    _session: boto3.session.Session = field(
        default_factory=boto3.session.Session, init=False, repr=False, compare=False
    )
    _clients: dict[tuple[str, str, bool], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @property
    def region(self) -> str:
        return self.settings.report.region

    def client(self, service: str, *, region: str | None = None, sigv4: bool = False) -> Any:
        """A boto3 client; typed ``Any`` so callers index responses like the API documents.

        ``sigv4``: sign with Signature Version 4 whatever botocore would pick (a presigned
        S3 URL at a custom endpoint is otherwise SigV2, whose expiry is unbounded on paper).
        """
        key = (service, region or self.region, sigv4)
        with self._lock:
            cached = self._clients.get(key)
            if cached is None:
                cached = self._clients[key] = self._new_client(*key)
            return cached

    def credentials_expiry(self) -> datetime | None:
        """When the session's credentials stop working, where botocore knows (temporary
        ones: a task role, a Lambda role, an assumed role); None for long-lived keys."""
        return credentials_expiry(self._session.get_credentials())

    def _new_client(self, service: str, region: str, sigv4: bool = False) -> Any:
        try:
            return self._session.client(  # type: ignore[call-overload]
                service,
                region_name=region,
                endpoint_url=self.endpoint_url,
                config=Config(
                    retries={"max_attempts": self.max_attempts, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                    signature_version="s3v4" if sigv4 else None,  # None: botocore's choice
                ),
            )
        except BotoCoreError as err:
            raise SourceError(f"cannot create the {service} client: {err}") from err


def credentials_expiry(credentials: object) -> datetime | None:
    """The expiry of botocore credentials, or None when they do not expire.

    botocore's RefreshableCredentials keep it in ``_expiry_time`` with no public
    accessor; static credentials have none. A presigned URL dies with its signer's
    session, so the report's link states this time rather than the seven days asked.
    """
    expiry = getattr(credentials, "_expiry_time", None)
    return expiry if isinstance(expiry, datetime) else None


@dataclass(frozen=True, slots=True)
class MetricQuery:
    """One GetMetricData query: a metric, its dimensions and one statistic."""

    id: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    period_s: int

    def to_api(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "MetricStat": {
                "Metric": {
                    "Namespace": self.namespace,
                    "MetricName": self.metric,
                    "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
                },
                "Period": self.period_s,
                "Stat": self.stat,
            },
            "ReturnData": True,
        }


Series = dict[datetime, float]


def metric_data(
    cloudwatch: Any, queries: Sequence[MetricQuery], start: datetime, end: datetime
) -> dict[str, Series]:
    """Every query's datapoints by timestamp, across pages and batches of 500 queries."""
    result: dict[str, Series] = {q.id: {} for q in queries}
    for first in range(0, len(queries), 500):
        batch = [q.to_api() for q in queries[first : first + 500]]
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "MetricDataQueries": batch,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            }
            if token:
                kwargs["NextToken"] = token
            try:
                page = cloudwatch.get_metric_data(**kwargs)
            except ClientError as err:
                code = err.response["Error"]["Code"]
                if code in ("AccessDenied", "AccessDeniedException", "InvalidParameterValue"):
                    raise SourceError(f"CloudWatch GetMetricData refused: {code}") from err
                raise
            for item in page.get("MetricDataResults", []):
                series = result.setdefault(item["Id"], {})
                for at, value in zip(
                    item.get("Timestamps", []), item.get("Values", []), strict=False
                ):
                    series[at.astimezone(UTC)] = float(value)
            token = page.get("NextToken")
            if not token:
                break
    return result


SERVER_ERRORS = frozenset({"InternalFailure", "InternalServiceError", "ServiceUnavailable", "500"})
"""Codes of a failure on the service's side (after botocore's retries)."""


def total(series: Series) -> float:
    return sum(series.values())


def error_code(err: ClientError) -> str:
    return str(err.response["Error"]["Code"])


NOT_FOUND = frozenset(
    {
        "ResourceNotFoundException",
        "LoadBalancerNotFound",
        "TargetGroupNotFound",
        "ClusterNotFoundException",
        "ServiceNotFoundException",
        "NoSuchEntity",
        "TableNotFoundException",
    }
)


ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
)
"""Codes of a call the caller's role may not make: a missing grant, never retried."""


def refusal(err: ClientError) -> str | None:
    """One line naming the refused call when ``err`` is a permission refusal, else None."""
    if error_code(err) not in ACCESS_DENIED:
        return None
    message = str(err.response["Error"].get("Message", "")).strip()
    return f"AWS refused {err.operation_name} ({error_code(err)}): {message or 'no message'}"


_NO_CREDENTIALS = (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)
_SSO_EXPIRED = (TokenRetrievalError, SSOTokenLoadError, UnauthorizedSSOTokenError)
_NO_ENDPOINT = (EndpointConnectionError, ConnectTimeoutError)


def unreachable(err: Exception) -> str | None:
    """One line saying why AWS could not be asked at all, else None.

    No usable credentials, an expired SSO session, an endpoint that does not answer:
    the command could not run (exit 2, or a job's "could not run"), and the line says
    what to do. Any other botocore failure is the caller's to re-raise.
    """
    if isinstance(err, _SSO_EXPIRED):
        return f"the AWS SSO session is not usable ({err}): run `aws sso login` for this profile"
    if isinstance(err, _NO_CREDENTIALS):
        return (
            f"no usable AWS credentials ({err}): set AWS_PROFILE (after `aws sso login`"
            " for an SSO profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(err, _NO_ENDPOINT):
        endpoint = err.kwargs.get("endpoint_url", "the endpoint")
        return f"cannot reach AWS at {endpoint}: check --endpoint-url, the region and the network"
    return None


def has_service(aws: Aws) -> bool:
    """Whether this design has the ECS service, its load balancer and target group.

    The serverless design has none of them, and its role may not describe them: asking
    would be refused on an account, so the readers below answer None without asking.
    """
    return aws.settings.design is Design.ORIGINAL


def load_balancer(aws: Aws) -> dict[str, Any] | None:
    if not has_service(aws):
        return None
    try:
        found = aws.client("elbv2").describe_load_balancers(
            Names=[aws.settings.resources.load_balancer]
        )
    except ClientError as err:
        if error_code(err) in NOT_FOUND:
            return None
        raise
    lbs: list[dict[str, Any]] = found.get("LoadBalancers", [])
    return lbs[0] if lbs else None


def lb_dimension(arn: str) -> str:
    """CloudWatch's LoadBalancer dimension: the ARN after ``loadbalancer/``."""
    return arn.split(":loadbalancer/", 1)[-1]


def target_group(aws: Aws) -> dict[str, Any] | None:
    if not has_service(aws):
        return None
    try:
        found = aws.client("elbv2").describe_target_groups(
            Names=[aws.settings.resources.target_group]
        )
    except ClientError as err:
        if error_code(err) in NOT_FOUND:
            return None
        raise
    groups: list[dict[str, Any]] = found.get("TargetGroups", [])
    return groups[0] if groups else None


def ecs_service(aws: Aws) -> dict[str, Any] | None:
    if not has_service(aws):
        return None
    try:
        named = aws.settings.resources
        found = aws.client("ecs").describe_services(cluster=named.cluster, services=[named.service])
    except ClientError as err:
        if error_code(err) in NOT_FOUND:
            return None
        raise
    services = [s for s in found.get("services", []) if s.get("status") != "INACTIVE"]
    return services[0] if services else None


def target_health(aws: Aws) -> tuple[int, int] | None:
    """(healthy, total) targets of the service's target group now; None without the group.

    The daily check and the report's compute status both count them, the same way.
    """
    group = target_group(aws)
    if group is None:
        return None
    described = aws.client("elbv2").describe_target_health(TargetGroupArn=group["TargetGroupArn"])
    states = [d["TargetHealth"]["State"] for d in described.get("TargetHealthDescriptions", [])]
    return states.count("healthy"), len(states)


def project_distributions(aws: Aws) -> list[dict[str, Any]]:
    """The CloudFront distributions of this project (their comment names it)."""
    cloudfront = aws.client("cloudfront", region=WEB_REGION)
    items = cloudfront.list_distributions().get("DistributionList", {}).get("Items") or []
    return [d for d in items if names.PROJECT in str(d.get("Comment", ""))]


def public_hosts(distribution: dict[str, Any]) -> list[str]:
    """The names people reach a distribution by: its aliases, else its own domain."""
    aliases = distribution.get("Aliases", {}).get("Items") or []
    return [str(a) for a in aliases] or [str(distribution["DomainName"])]


RETENTION: tuple[tuple[int, int], ...] = ((15, 60), (63, 300), (455, 3600))
"""CloudWatch keeps 1-minute datapoints 15 days, 5-minute ones 63 days, hourly ones 455
days (its documented retention), as (days, period in seconds)."""


def finest_period_s(start: datetime, now: datetime | None = None) -> int:
    """The smallest period CloudWatch still holds for everything since ``start``.

    Past 455 days nothing is kept; the hourly period is still the one to ask for (the
    answer is then empty, and the figure "no data").
    """
    age = (now or datetime.now(UTC)) - start
    for days, period_s in RETENTION:
        if age.days < days:
            return period_s
    return RETENTION[-1][1]


def period_label(period_s: int) -> str | None:
    """A note for a figure read at a period coarser than a minute; None at one minute."""
    if period_s <= 60:
        return None
    unit = "hourly" if period_s == 3600 else f"{period_s // 60}-minute"
    return (
        f"read from CloudWatch's {unit} datapoints (CloudWatch keeps 1-minute data 15 days,"
        " 5-minute 63 days, hourly 455 days): each stands for its"
        f" {period_s // 60} minutes, not for each minute measured apart"
    )
