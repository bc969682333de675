"""Request and response schemas, one family per entity (Create / Update / Public / Page)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, model_validator

from portfolio.store.records import Role, User


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UserCreate(_Strict):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    role: Role = Role.VIEWER
    title: str = Field(default="", max_length=100)
    bio: str = Field(default="", max_length=2000)
    links: list[HttpUrl] = Field(default_factory=list, max_length=10)


class UserUpdate(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    email: EmailStr | None = None
    role: Role | None = None
    title: str | None = Field(default=None, max_length=100)
    bio: str | None = Field(default=None, max_length=2000)
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
    status: Literal["ok", "unavailable"]
    ready: bool
    version: str
    uptime_s: float
    task: str
    store: StoreHealth
    reason: str | None = None


class LatencyStats(BaseModel):
    avg: float | None
    p50: float | None
    p95: float | None
    p99: float | None


class MetricsPoint(BaseModel):
    start: datetime
    count: int
    errors_4xx: int
    errors_5xx: int
    bytes_in: int
    bytes_out: int
    latency_ms: LatencyStats


class MetricsSeries(BaseModel):
    endpoint: str
    points: list[MetricsPoint]


class MetricsSummary(BaseModel):
    count: int
    errors_4xx: int
    errors_5xx: int
    error_rate: float | None = Field(
        description="5xx / count, as a fraction; null with no requests"
    )
    bytes_in: int
    bytes_out: int
    latency_ms: LatencyStats
    by_status: dict[str, int]
    by_endpoint: dict[str, int]


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
