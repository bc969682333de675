"""The names of the original system's resources, defined once.

The API, the CDK app, the checks and the report all import these so that a
renamed resource is renamed everywhere or nowhere.
"""

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
