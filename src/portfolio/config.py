"""One settings model for the whole system, validated at start-up.

Every value can come from the environment with the prefix ``PORTFOLIO_`` and
``__`` between a group and its field (``PORTFOLIO_KPI__BUDGET_USD=12``). Tests
build ``Settings(...)`` with keywords instead of touching the environment.

The environment is read here (``environment_values``) rather than by
pydantic-settings, the way it reads it for this model: names in any case, lists and
whole groups as JSON, keywords over the environment, group by group. Importing
pydantic-settings took about 55 ms, paid by every command before it did anything:
a tenth of a `portfolio report`, and of a Lambda cold start.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import types
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.fields import FieldInfo

from portfolio import names

ENV_PREFIX = "PORTFOLIO_"
ENV_NESTED_DELIMITER = "__"

OPS_BUCKET_ENV = "PORTFOLIO_OPS_REPORTS_BUCKET"
"""Where the ops jobs keep their results (the stack sets it on the ops task and the Lambda)."""
OPS_TOPIC_ENV = "PORTFOLIO_OPS_TOPIC_ARN"
"""The SNS topic the ops jobs send their summary to (set beside OPS_BUCKET_ENV)."""

PLACEHOLDER_KEYS = frozenset({"change-me", "changeme", "dev-key", "secret", "test"})


class Environment(StrEnum):
    LOCAL = "local"
    STAGING = "staging"
    PRODUCTION = "production"


API_KEY_SCOPES: dict[str, bool] = {"rw": False, "ro": True}
"""Suffix after a key's ``:`` -> read-only. Anything else is refused: a typo such as
``:readonly`` must not silently make a read-write key."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key and whether it may write."""

    secret: str
    read_only: bool

    @property
    def key_id(self) -> str:
        """A short fingerprint that names the key in logs and records without revealing it."""
        return hashlib.sha256(self.secret.encode()).hexdigest()[:12]

    @property
    def scope(self) -> str:
        return "read" if self.read_only else "write"


def parse_api_key(entry: str) -> ApiKey:
    """``SECRET``, ``SECRET:rw`` or ``SECRET:ro``; ValueError for any other suffix."""
    secret, sep, suffix = entry.strip().rpartition(":")
    if not sep:
        secret, suffix = suffix, "rw"
    mode = suffix.strip().lower()
    if mode not in API_KEY_SCOPES:
        raise ValueError(
            f"PORTFOLIO_API_KEYS: a key ends in an unknown suffix {suffix[:12]!r};"
            " use KEY, KEY:rw or KEY:ro (keys may not contain ':')"
        )
    if not secret.strip() or ":" in secret:
        raise ValueError(
            "PORTFOLIO_API_KEYS: a key is empty or contains ':'; use KEY, KEY:rw or KEY:ro"
        )
    return ApiKey(secret=secret.strip(), read_only=API_KEY_SCOPES[mode])


def api_key_set_fingerprint(keys: list[ApiKey]) -> str:
    """One hash of the key ids and their scopes: changes when a key or its scope does."""
    lines = sorted(f"{key.key_id}:{key.scope}" for key in keys)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


class StoreSettings(BaseModel):
    backend: Literal["sqlite", "dynamodb"] = "sqlite"
    sqlite_path: Path = Path("portfolio.db")
    dynamodb_endpoint_url: str | None = None
    region: str = names.DEFAULT_REGION
    users_table: str = names.USERS_TABLE
    metrics_table: str = names.METRICS_TABLE
    max_read_units_per_s: float = Field(
        default=40_000.0,
        gt=0,
        description="The local store's stand-in for the table's maximum read throughput, the"
        " reference of コンシュームドキャパシティ: DynamoDB's default per-table on-demand quota;"
        " set the table's MaxReadRequestUnits when one is configured.",
    )
    max_write_units_per_s: float = Field(
        default=40_000.0, gt=0, description="As max_read_units_per_s, for writes."
    )


class TelemetrySettings(BaseModel):
    enabled: bool = True
    flush_interval_s: float = Field(default=5.0, gt=0, le=300)
    sample_interval_s: float = Field(default=60.0, gt=0, le=3600)
    probe_interval_s: float = Field(default=60.0, gt=0, le=3600)
    probe_timeout_s: float = Field(default=5.0, gt=0, le=60)
    access_log: bool = True
    spool_dir: Path | None = Field(
        default=None,
        description="Folder of the crash spool: each worker appends every request it counts,"
        " and a dead worker's spool is folded into the store (`portfolio serve` sets one"
        " per store; unset: no spool).",
    )
    lambda_flush: Literal["minute", "request"] = Field(
        default="minute",
        description="When a Lambda instance writes its telemetry: at the first invocation of"
        " each new minute (the closed minutes; a recycled instance loses at most its open"
        " minute), or after every request (exact at once, ~9.8 write units per request).",
    )
    rollup_retention_days: int = Field(default=400, ge=1)
    opentelemetry: bool = Field(
        default=False,
        description="FastAPI's own OpenTelemetry spans, metrics and logs, sent to the global"
        " providers (the AWS Distro for OpenTelemetry sets them up). Off by default: the"
        " service's telemetry is its rollups and access log, and FastAPI would otherwise look"
        " for configured providers on every request (4-5 us of a /health of about 50).",
    )


class KpiTargets(BaseModel):
    """The targets of the original report's KPI tables."""

    availability_pct: float = Field(default=99.9, gt=0, le=100)
    response_time_ms: float = Field(default=100.0, gt=0)
    error_rate_pct: float = Field(default=1.0, ge=0, le=100)
    budget_usd: float = Field(default=10.0, gt=0)
    cpu_mem_pct: float = Field(default=80.0, gt=0, le=100)
    incident_response_minutes: float = Field(default=30.0, gt=0)
    maintenance_completion_pct: float = Field(default=100.0, gt=0, le=100)
    documentation_updates: int = Field(default=1, ge=0)


class ReportSettings(BaseModel):
    timezone: str = "Asia/Tokyo"
    environment_name: str = "AWS Portfolio Infrastructure"
    author: str = Field(default="", description="Blank: the team (運用チーム / Operations team).")
    approver: str = Field(default="", description="Blank leaves a line to sign on.")
    environment: Literal["production", "staging", "development"] = "production"
    frequency: Literal["monthly"] = "monthly"
    min_coverage_pct: float = Field(
        default=99.0, gt=0, le=100, description="Probe coverage below this is a finding."
    )
    cache_hit_target_pct: float = Field(default=90.0, ge=0, le=100)
    outage_min_minutes: int = Field(default=2, ge=1)
    incident_min_minutes: int = Field(default=5, ge=1)
    region: str = names.DEFAULT_REGION
    plan_path: Path | None = Field(
        default=None,
        description="The operator's plan: a TOML file (standing) or a directory of"
        " YYYY-MM.toml and standing.toml (docs/report.md).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value


class ApiSettings(BaseModel):
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_header_count: int = Field(default=100, ge=10)
    max_header_bytes: int = Field(default=32 * 1024, ge=1024)
    max_metric_points: int = Field(default=2000, ge=10)
    max_metric_range_days: int = Field(default=93, ge=1)
    anonymous_max_metric_points: int = Field(
        default=500,
        ge=10,
        description="Points one /api/v1/metrics request without an API key may ask for.",
    )
    anonymous_max_metric_range_days: int = Field(
        default=7,
        ge=1,
        description="Range one /api/v1/metrics request without an API key may span;"
        " longer ranges need a key.",
    )
    metrics_cache_s: float = Field(
        default=300.0,
        ge=0,
        description="How long a /api/v1/metrics answer for a closed period is reused.",
    )
    status_cache_s: float = Field(
        default=15.0,
        ge=0,
        description="How long /api/v1/status answers from its last computation"
        " (probes arrive once a minute; 0 disables).",
    )
    drain_s: float = Field(
        default=5.0,
        ge=0,
        le=120,
        description="After SIGTERM, seconds a worker keeps serving with readiness 503"
        " ('draining') before it stops accepting connections (0: stop at once).",
    )
    graceful_shutdown_s: int = Field(
        default=20,
        ge=1,
        le=600,
        description="Then, seconds in-flight requests get to finish before they are cut."
        " drain_s + graceful_shutdown_s stays under the platform's stop timeout (ECS: 30 s).",
    )
    cors_origins: list[str] = Field(default_factory=list)
    site_dir: Path | None = Field(
        default=None,
        description="Static site served at / (default: the checkout's web/ when present).",
    )


class Design(StrEnum):
    """Which deployment the checks look at: ECS behind an ALB, or Lambda behind CloudFront."""

    ORIGINAL = "original"
    SERVERLESS = "serverless"


class AsText:
    """A field's marker: its environment variable is handed to its validator as text, not
    decoded as JSON (``PORTFOLIO_API_KEYS=a,b:ro`` is a list written with commas)."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    env: Environment = Environment.LOCAL
    design: Design = Design.ORIGINAL
    """The design being operated; the checklist keeps the checks that apply to it."""
    api_function: str = names.API_FUNCTION
    """The serverless design's API function (its ops Lambda sets the deployed name)."""
    api_keys: Annotated[list[str], AsText()] = Field(default_factory=list)
    task_id: str | None = None
    store: StoreSettings = Field(default_factory=StoreSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    kpi: KpiTargets = Field(default_factory=KpiTargets)
    report: ReportSettings = Field(default_factory=ReportSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @model_validator(mode="before")
    @classmethod
    def _environment_below(cls, data: object) -> object:
        """The environment's values, under the ones given as keywords."""
        if not isinstance(data, dict):
            return data
        return _merged(environment_values(cls, os.environ), data)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for entry in value:
                parse_api_key(str(entry))  # refuses unknown suffixes at start, in one line
        return value

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.env is Environment.LOCAL:
            return self
        parsed = self.parsed_api_keys()
        if not parsed:
            raise ValueError(f"PORTFOLIO_API_KEYS must be set when env is {self.env.value}")
        for key in parsed:
            if key.secret.lower() in PLACEHOLDER_KEYS or len(key.secret) < 16:
                raise ValueError(
                    "PORTFOLIO_API_KEYS holds a placeholder or short key (< 16 characters);"
                    f" not allowed when env is {self.env.value}"
                )
        return self

    @model_validator(mode="after")
    def _names_of_the_environment(self) -> Settings:
        """Table and function names follow ``env`` unless given: a staging job that was
        told only ``PORTFOLIO_ENV=staging`` must not read production's resources."""
        named = self.resources
        if "users_table" not in self.store.model_fields_set:
            self.store.users_table = named.users_table
        if "metrics_table" not in self.store.model_fields_set:
            self.store.metrics_table = named.metrics_table
        if "api_function" not in self.model_fields_set:
            self.api_function = named.api_function
        return self

    @property
    def resources(self) -> names.ResourceNames:
        """This environment's resource names (the CDK app names them the same way)."""
        return names.ResourceNames.of(self.env.value)

    def parsed_api_keys(self) -> list[ApiKey]:
        return [parse_api_key(entry) for entry in self.api_keys]


def match_api_key(keys: list[ApiKey], presented: str) -> ApiKey | None:
    """Find the key equal to ``presented``, comparing every key in constant time.

    All keys are compared even after a match so the time taken does not tell an
    attacker which key, or how much of one, was right.
    """
    found: ApiKey | None = None
    candidate = presented.encode()
    for key in keys:
        if hmac.compare_digest(key.secret.encode(), candidate):
            found = key
    return found


def environment_values(model: type[BaseModel], environ: Mapping[str, str]) -> dict[str, Any]:
    """The values ``environ`` gives ``model``'s fields: ``PORTFOLIO_<FIELD>``, and for a
    group ``PORTFOLIO_<GROUP>__<FIELD>`` (over a whole ``PORTFOLIO_<GROUP>`` in JSON).

    Names are matched in any case; a list, a mapping or a group is JSON unless its field
    is marked ``AsText``; other values stay text for the model to validate. Variables with
    the prefix that name no field are not settings (``PORTFOLIO_CHROMIUM`` and others are
    read where they are used) and are left alone.
    """
    prefix = ENV_PREFIX.lower()
    found = {name.lower(): value for name, value in environ.items()}
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = prefix + name
        if key in found:
            value = _decoded(key, field, found[key])
            if _group_model(field.annotation) is not None and isinstance(value, dict):
                value = {str(k).lower(): v for k, v in value.items()}  # names in any case
            values[name] = value
        group = _group_model(field.annotation)
        if group is None:
            continue
        nested = {
            sub: _decoded(f"{key}{ENV_NESTED_DELIMITER}{sub}", subfield, found[var])
            for sub, subfield in group.model_fields.items()
            if (var := f"{key}{ENV_NESTED_DELIMITER}{sub}") in found
        }
        if nested:
            whole = values.get(name)
            values[name] = {**whole, **nested} if isinstance(whole, dict) else nested
    return values


def _decoded(variable: str, field: FieldInfo, text: str) -> Any:
    if any(isinstance(marker, AsText) for marker in field.metadata):
        return text
    if not _is_structured(field.annotation):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(
            f'{variable.upper()} must be JSON (a list as ["a", "b"], a group as'
            f' {{"field": value}}): {err.msg}'
        ) from err


def _without_none(annotation: Any) -> list[Any]:
    if get_origin(annotation) in (Union, types.UnionType):
        return [arg for arg in get_args(annotation) if arg is not type(None)]
    return [annotation]


def _group_model(annotation: Any) -> type[BaseModel] | None:
    for option in _without_none(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _is_structured(annotation: Any) -> bool:
    """A list, a mapping, a set, a tuple or a group: written as JSON in the environment."""
    for option in _without_none(annotation):
        origin = get_origin(option) or option
        if origin in (list, dict, set, frozenset, tuple):
            return True
        if isinstance(origin, type) and issubclass(origin, BaseModel):
            return True
    return False


def _merged(below: dict[str, Any], above: Mapping[str, Any]) -> dict[str, Any]:
    """``above`` over ``below``; groups given as mappings in both are merged field by field."""
    out = dict(below)
    for key, value in above.items():
        under = out.get(key)
        if isinstance(value, Mapping) and isinstance(under, dict):
            out[key] = _merged(under, value)
        else:
            out[key] = value
    return out
