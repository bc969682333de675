"""The AWS report's traffic: the service's own telemetry, and what AWS counted beside it.

The requests, latency percentiles, per-endpoint table and error rate come from the
rollups every ECS task or Lambda instance writes to the metrics table — the same rows,
read the same way, as on one machine (``LocalSource``), so the two reports agree to the
request and the percentiles are the sketches' own, not approximations of CloudWatch's.
Route 53's checkers are counted apart (``names.OUTSIDE_PROBE_ENDPOINT``).

CloudWatch stays as a cross-check of the count: the load balancer's ``RequestCount``
(original design) or the function's ``Invocations`` (serverless design) also count
requests that never reached the app — the load balancer's own 5xx, throttled
invocations — which the app cannot record. The cross-check is a note, never the traffic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portfolio.cloud import Aws, MetricQuery, lb_dimension, metric_data, total
from portfolio.period import Period
from portfolio.sources.base import TrafficBucket, without_outside_probes
from portfolio.sources.local import merge_tasks
from portfolio.store.protocols import Store
from portfolio.store.records import MinuteTotals


@dataclass(frozen=True, slots=True)
class Telemetry:
    """A period's traffic as the service recorded it: users' buckets, checks apart."""

    traffic: list[TrafficBucket]
    outside_probe_requests: int
    minutes: list[MinuteTotals]

    @property
    def recorded(self) -> int:
        """Every request the app recorded, the outside checks' included."""
        return sum(b.count for b in self.traffic) + self.outside_probe_requests


def read_telemetry(store: Store, period: Period, *, with_minutes: bool = True) -> Telemetry:
    """The hourly rollups of every task or instance, merged; minutes when asked for."""
    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    traffic, probe = without_outside_probes(
        merge_tasks(store.read_rollups(start, end, resolution="hour"))
    )
    minutes = store.read_minute_totals(start, end) if with_minutes else []
    return Telemetry(traffic=traffic, outside_probe_requests=probe, minutes=minutes)


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """What AWS counted in front of the app, for comparison with the app's own count."""

    counter: str
    """Who counted: the load balancer or the function, by name."""
    requests: int
    never_reached: int
    """Of them, answered without the app: the load balancer's own 5xx, throttles."""
    never_reached_what: str

    def note(self, telemetry: Telemetry | None) -> str:
        head = f"Cross-check: {self.counter} counted {self.requests:,} requests"
        if telemetry is None:
            app = "; the service's telemetry was not read"
        else:
            users = telemetry.recorded - telemetry.outside_probe_requests
            app = (
                f"; the service's telemetry recorded {telemetry.recorded:,}"
                f" ({users:,} users', {telemetry.outside_probe_requests:,} Route 53 checks')"
            )
        return (
            f"{head}{app}; {self.never_reached:,} {self.never_reached_what} never reached"
            " the app. The report's traffic figures are the telemetry's."
        )


def alb_cross_check(cloudwatch: Any, lb: dict[str, Any], period: Period) -> CrossCheck:
    """RequestCount and HTTPCode_ELB_5XX_Count of the load balancer over the period."""
    dims = (("LoadBalancer", lb_dimension(lb["LoadBalancerArn"])),)
    span = int((period.end - period.start).total_seconds())
    ns = "AWS/ApplicationELB"
    data = metric_data(cloudwatch, [
        MetricQuery("requests", ns, "RequestCount", dims, "Sum", span),
        MetricQuery("elb5xx", ns, "HTTPCode_ELB_5XX_Count", dims, "Sum", span),
    ], period.start, period.end)  # fmt: skip
    return CrossCheck(
        counter=f"the load balancer ({lb['LoadBalancerName']})",
        requests=round(total(data["requests"])),
        never_reached=round(total(data["elb5xx"])),
        never_reached_what="answered by the load balancer itself (5xx)",
    )


def lambda_cross_check(aws: Aws, function: str, period: Period) -> CrossCheck:
    """Invocations and Throttles of the API function: a throttled request is not invoked."""
    dims = (("FunctionName", function),)
    span = int((period.end - period.start).total_seconds())
    ns = "AWS/Lambda"
    data = metric_data(aws.client("cloudwatch"), [
        MetricQuery("invocations", ns, "Invocations", dims, "Sum", span),
        MetricQuery("throttles", ns, "Throttles", dims, "Sum", span),
    ], period.start, period.end)  # fmt: skip
    throttles = round(total(data["throttles"]))
    return CrossCheck(
        counter=f"Lambda ({function})",
        requests=round(total(data["invocations"])) + throttles,
        never_reached=throttles,
        never_reached_what="throttled",
    )
