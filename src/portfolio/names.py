"""The names of the original system's resources, defined once, and per environment.

The API, the CDK app, the checks and the report all import these so that a
renamed resource is renamed everywhere or nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PROJECT: Final = "portfolio"
CLUSTER: Final = "portfolio-cluster"
SERVICE: Final = "portfolio-api-service"
LOAD_BALANCER: Final = "portfolio-alb"
TARGET_GROUP: Final = "portfolio-tg"
USERS_TABLE: Final = "portfolio-users"
METRICS_TABLE: Final = "portfolio-metrics"
LOG_GROUP: Final = "/ecs/portfolio-api"
ALB_LOG_PREFIX: Final = "alb"
"""Where the ALB writes its access logs in the log bucket (then AWSLogs/<account>/...)."""
DEFAULT_REGION: Final = "ap-northeast-1"
DESIRED_TASKS: Final = 2
API_FUNCTION: Final = "portfolio-api-serverless"
"""The serverless design's API function in production (other environments add a suffix)."""

PRODUCTION: Final = "production"


def in_environment(base: str, environment: str) -> str:
    """A resource's name in an environment: the original's in production (and on one
    machine), suffixed with the environment's name elsewhere so environments share an
    account. The CDK app names its resources with this; the jobs and the report read them."""
    return base if environment in (PRODUCTION, "local", "") else f"{base}-{environment}"


@dataclass(frozen=True, slots=True)
class ResourceNames:
    """The names of one environment's resources, as its stacks create them."""

    environment: str
    cluster: str
    service: str
    load_balancer: str
    target_group: str
    log_group: str
    users_table: str
    metrics_table: str
    api_function: str

    @classmethod
    def of(cls, environment: str) -> ResourceNames:
        def named(base: str) -> str:
            return in_environment(base, environment)

        return cls(
            environment=environment,
            cluster=named(CLUSTER),
            service=named(SERVICE),
            load_balancer=named(LOAD_BALANCER),
            target_group=named(TARGET_GROUP),
            log_group=named(LOG_GROUP),
            users_table=named(USERS_TABLE),
            metrics_table=named(METRICS_TABLE),
            # The serverless stack names its function portfolio-api<-env>-serverless.
            api_function=f"{named('portfolio-api')}-serverless",
        )


# Endpoint templates of the API, as the telemetry and the report name them.
HEALTH_PATH: Final = "/health"
LIVENESS_PATH: Final = "/livez"
"""Answers 200 while the process serves, whatever the store: the container health check."""
USERS_PATH: Final = "/api/v1/users"
METRICS_PATH: Final = "/api/v1/metrics"
STATUS_PATH: Final = "/api/v1/status"
SITE_ENDPOINT: Final = "(site)"
"""What telemetry calls requests for the static pages `portfolio serve` also serves."""
UNMATCHED_ENDPOINT: Final = "(unmatched)"
SCANNER_ENDPOINT: Final = "(scanner)"
"""What telemetry calls requests to known scanner paths (see portfolio.security_rules)."""
OUTSIDE_PROBE_ENDPOINT: Final = "(outside probe)"
"""What telemetry calls requests from Route 53's health checkers: counted apart from users."""
OUTSIDE_PROBE_USER_AGENT: Final = "Amazon-Route53-Health-Check-Service"
"""The start of the User-Agent Route 53's checkers send (then ``(ref ...; report ...)``)."""
