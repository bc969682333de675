"""Request and response schemas, one family per entity (Create / Update / Public / Page)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    model_validator,
)

from portfolio.api.text import Email, block_field, check_block, check_line, line_field
from portfolio.store.records import Role, User
from portfolio.telemetry.query import LatencyStats, MetricsPoint, MetricsSeries, MetricsSummary

__all__ = ["LatencyStats", "MetricsPoint", "MetricsSeries", "MetricsSummary"]

Line = Annotated[str, AfterValidator(check_line)]
Block = Annotated[str, AfterValidator(check_block)]
"""Text shown to people: see portfolio.api.text for what they may not contain."""


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error answer."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For 422: one entry per invalid field."
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserCreate(_Strict):
    name: Line = line_field(min_length=1, max_length=100)
    email: Email
    role: Role = Role.VIEWER
    title: Line = line_field(default="", max_length=100)
    bio: Block = block_field(default="", max_length=2000)
    links: list[HttpUrl] = Field(default_factory=list, max_length=10)


def _patch_schema(schema: dict[str, Any]) -> None:
    """Document what the validator enforces: at least one field, none of them null.

    The fields are ``X | None`` only so that "not given" can be told apart; a
    client may not send null, and the OpenAPI document says so.
    """
    schema["minProperties"] = 1
    for prop in schema.get("properties", {}).values():
        branches = [b for b in prop.pop("anyOf", []) if b.get("type") != "null"]
        if len(branches) == 1:
            prop.update(branches[0])
        elif branches:
            prop["anyOf"] = branches
        if prop.get("default", 0) is None:
            del prop["default"]


class UserUpdate(_Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_patch_schema)

    name: Line | None = line_field(default=None, min_length=1, max_length=100)
    email: Email | None = None
    role: Role | None = None
    title: Line | None = line_field(default=None, max_length=100)
    bio: Block | None = block_field(default=None, max_length=2000)
    links: list[HttpUrl] | None = Field(default=None, max_length=10)

    @model_validator(mode="after")
    def _something_and_no_nulls(self) -> UserUpdate:
        given = self.model_fields_set
        if not given:
            raise ValueError("give at least one field to change")
        nulls = sorted(name for name in given if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"fields cannot be null: {', '.join(nulls)}")
        return self

    def changes(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "links":
                value = tuple(str(link) for link in value)
            elif name == "email":
                value = str(value)
            out[name] = value
        return out


class UserPublic(BaseModel):
    id: str
    name: str
    email: str | None = Field(default=None, description="Shown only to callers with an API key.")
    role: Role
    title: str
    bio: str
    links: list[str]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, user: User, *, show_email: bool) -> UserPublic:
        return cls(
            id=user.id,
            name=user.name,
            email=user.email if show_email else None,
            role=user.role,
            title=user.title,
            bio=user.bio,
            links=list(user.links),
            created_at=user.created_at,
            updated_at=user.updated_at,
            version=user.version,
        )


class UsersPage(BaseModel):
    items: list[UserPublic]
    next_cursor: str | None


class StoreHealth(BaseModel):
    backend: str
    reachable: bool
    detail: str | None = None


class Health(BaseModel):
    """Readiness for anyone; version, task and store details only with an API key."""

    status: Literal["ok", "unavailable"]
    ready: bool
    reason: str | None = Field(
        default=None,
        description="Why not ready, in one word: store-unreachable, store-busy, disk-full,"
        " store-timeout, store-error, draining, starting.",
    )
    version: str | None = None
    uptime_s: float | None = None
    task: str | None = None
    store: StoreHealth | None = None


class MetricsResponse(BaseModel):
    start: datetime
    end: datetime
    step: Literal["minute", "hour", "day"]
    summary: MetricsSummary
    series: list[MetricsSeries]


class CurrentStatus(BaseModel):
    state: Literal["up", "down", "unknown"] = Field(
        description="From the newest probe; unknown when there is none or it is stale."
    )
    checked_at: datetime | None
    latency_ms: float | None
    status_code: int | None
    detail: str


class StatusDay(BaseModel):
    date: dt.date = Field(description="A calendar day in the response's time zone.")
    probes: int
    failed: int
    uptime_percent: float | None = Field(description="Successful probes in percent; null: none.")


class StatusIncident(BaseModel):
    id: str
    kind: Literal["outage", "recorded"] = Field(
        description="outage: found in the probes by the report's rule; recorded: by a person."
    )
    start: datetime
    end: datetime | None = Field(description="Null while it is still going on.")
    minutes: float | None
    severity: str
    summary: str


class StatusResponse(BaseModel):
    generated_at: datetime
    timezone: str
    current: CurrentStatus
    uptime_percent: float | None = Field(description="Over all the days; null without probes.")
    days: list[StatusDay]
    incidents: list[StatusIncident]
