"""What one environment's stacks are built from, read once from CDK context.

Every knob is a context value (``-c key=value`` or ``cdk.json``) so that synth needs no
AWS account: the defaults synthesize a complete, deployable production environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from constructs import Node

from portfolio import names
from portfolio.config import KpiTargets

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_AZS = ("ap-northeast-1a", "ap-northeast-1c")  # 1b is not offered to new accounts
# On-demand throughput ceilings per table. The service needs a few units a second (the
# original's 0.25 req/s and a telemetry flush per task per minute); 100 reads and 50
# writes a second leave ample headroom while capping a runaway client or loop at about
# $38 (reads) + $96 (writes) a month at on-demand prices instead of without limit. The
# report divides consumed capacity by these (コンシュームドキャパシティ).
MAX_READ_UNITS = 100
MAX_WRITE_UNITS = 50
DESIGNS = ("original", "serverless")
ENVIRONMENTS = ("production", "staging")
"""The deployable environments: portfolio.config.Environment's, but ``local``."""


@dataclass(frozen=True, kw_only=True)
class EnvironmentSettings:
    """The settings of one environment (production, staging, ...)."""

    name: str
    account: str | None
    region: str
    availability_zones: tuple[str, ...]
    certificate_arn: str | None
    alarm_email: str | None
    image_repository: str | None
    image_tag: str
    log_retention_days: int
    access_log_retention_days: int
    kpi: KpiTargets
    web_dir: Path
    api_base_url: str | None
    """Where the status page finds the API (context ``api_base_url``); written to config.js."""
    site_origin: str | None
    """The site's origin (context ``site_origin``), allowed by the API's CORS."""
    api_domain: str | None
    """A DNS name of the load balancer its certificate covers (context ``api_domain``).

    With it CloudFront reaches the API over HTTPS; without it over HTTP to the load
    balancer's own name (no certificate can cover that name)."""
    max_read_units_per_s: int
    """On-demand ceiling per table (context ``max_read_units_per_s``): bounds a runaway's bill."""
    max_write_units_per_s: int
    """On-demand ceiling per table (context ``max_write_units_per_s``)."""
    design: str = "original"
    """Context ``design``: ``original`` (Fargate + ALB) or ``serverless`` (Lambda)."""
    existing_tables: bool = False
    """Context ``existing_tables=true`` (serverless design): use the tables by name, create none."""

    def __post_init__(self) -> None:
        if self.name not in ENVIRONMENTS:
            # The jobs know their environment from PORTFOLIO_ENV (portfolio.config.Environment)
            # and derive every resource name from it: another name would leave them reading
            # another environment's resources.
            raise ValueError(
                f"context environments: {self.name!r} is not one of {', '.join(ENVIRONMENTS)}"
            )
        if self.certificate_arn and not self.api_domain:
            raise ValueError(
                "context certificate_arn needs api_domain too: the DNS name the certificate"
                " covers, which CloudFront uses to reach the load balancer over HTTPS"
            )

    @property
    def is_production(self) -> bool:
        return self.name == "production"

    def resource_name(self, base: str) -> str:
        """The original's name in production; suffixed elsewhere to share an account.

        ``names.in_environment``: the jobs and the report (``Settings.resources``) derive
        the same names from ``PORTFOLIO_ENV``, so a staging job reads staging's resources.
        """
        return names.in_environment(base, self.name)

    @property
    def resources(self) -> names.ResourceNames:
        """This environment's resource names, as the jobs and the report read them."""
        return names.ResourceNames.of(self.name)

    @property
    def stack_name(self) -> str:
        design = "" if self.design == "original" else f"-{self.design}"
        return f"Portfolio-{self.name}{design}"

    @property
    def web_stack_name(self) -> str:
        return f"{self.stack_name}-web"


def _text(node: Node, key: str) -> str | None:
    value = node.try_get_context(key)
    if value is None or value == "":
        return None
    return str(value)


def from_context(node: Node) -> list[EnvironmentSettings]:
    """One EnvironmentSettings per name in the ``environments`` context (default: production)."""
    env_names = (_text(node, "environments") or "production").split(",")
    azs = _text(node, "availability_zones")
    budget = _text(node, "budget_usd")
    kpi = KpiTargets(budget_usd=float(budget)) if budget else KpiTargets()
    design = _text(node, "design") or "original"
    if design not in DESIGNS:
        raise ValueError(f"context design must be one of {', '.join(DESIGNS)}, got {design!r}")
    return [
        EnvironmentSettings(
            name=env_name.strip(),
            account=_text(node, "account"),
            region=_text(node, "region") or names.DEFAULT_REGION,
            availability_zones=tuple(azs.split(",")) if azs else DEFAULT_AZS,
            certificate_arn=_text(node, "certificate_arn"),
            alarm_email=_text(node, "alarm_email"),
            image_repository=_text(node, "image_repository"),
            image_tag=_text(node, "image_tag") or "latest",
            log_retention_days=int(_text(node, "log_retention_days") or 365),
            access_log_retention_days=int(_text(node, "access_log_retention_days") or 400),
            kpi=kpi,
            web_dir=Path(_text(node, "web_dir") or REPO_ROOT / "web"),
            api_base_url=_text(node, "api_base_url"),
            site_origin=_text(node, "site_origin"),
            api_domain=_text(node, "api_domain"),
            max_read_units_per_s=int(_text(node, "max_read_units_per_s") or MAX_READ_UNITS),
            max_write_units_per_s=int(_text(node, "max_write_units_per_s") or MAX_WRITE_UNITS),
            design=design,
            existing_tables=(_text(node, "existing_tables") or "false").lower() == "true",
        )
        for env_name in env_names
        if env_name.strip()
    ]
