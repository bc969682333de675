"""What a check is: metadata, one pure function over a collected snapshot, and a registry.

Collection and evaluation are separate on purpose: a snapshot is gathered once (from the
local service and store, from the synthesized template, or from AWS) and every check of
that kind reads it. Checks never call anything themselves, so they are tested on plain
data, run the same against every target, and can be replayed on simulated history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from portfolio.config import Design
from portfolio.errors import InputError
from portfolio.registry import Registry
from portfolio.store.records import Finding, FindingStatus


class Kind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one check concluded: a status and one sentence saying why."""

    status: FindingStatus
    detail: str


NOT_OBSERVED = "was not observed on this target"
RESTORE_WINDOW_UNOBSERVABLE = (
    "The restore window is not observable here (a template declares PITR but has no"
    " restore times); run with --target aws."
)
NO_RESTORE_TEST = "No restore test this run (run with --restore-test)."
"""The details of the warnings that mean 'not verified here', as the monthly checks record
them; the report words each in both languages (report.security)."""


def passed(detail: str) -> Outcome:
    return Outcome(FindingStatus.PASS, detail)


def no_data(detail: str) -> Outcome:
    """Nothing to judge yet (a fresh install, a first week): said so, never a failure."""
    return Outcome(FindingStatus.NO_DATA, f"No data yet: {detail}")


def warn(detail: str) -> Outcome:
    return Outcome(FindingStatus.WARN, detail)


def fail(detail: str) -> Outcome:
    return Outcome(FindingStatus.FAIL, detail)


S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Check(Generic[S]):
    """One item of the checklist; the docs (checklist, troubleshooting) are built from this."""

    id: str
    kind: Kind
    severity: Severity
    title_ja: str
    title_en: str
    risk_ja: str
    risk_en: str
    remediation_ja: str
    remediation_en: str
    evaluate: Callable[[S], Outcome | None]
    """None: the check was not run this time (an audit asked for separately); no finding."""
    designs: frozenset[Design] = frozenset(Design)
    """The designs this check applies to; an ECS/ALB check means nothing on Lambda."""

    def run(self, snapshot: S) -> Finding | None:
        outcome = self.evaluate(snapshot)
        if outcome is None:
            return None
        return Finding(check_id=self.id, status=outcome.status, detail=outcome.detail)


ORIGINAL_ONLY: frozenset[Design] = frozenset({Design.ORIGINAL})
"""For checks about ECS tasks, the ALB and its target group: the serverless design has none."""
SERVERLESS_ONLY: frozenset[Design] = frozenset({Design.SERVERLESS})
"""For checks about the API's Lambda function."""

CHECKS: Registry[str, Check[Any]] = Registry("check", unknown=InputError)
"""Every registered check by id, in registration order (the order of the docs).

Filled as the check modules are imported; ``checks.registry`` imports them all and is
where the checklist is read from."""


def check(
    check_id: str,
    kind: Kind,
    severity: Severity,
    *,
    title: tuple[str, str],
    risk: tuple[str, str],
    remediation: tuple[str, str],
    designs: frozenset[Design] = frozenset(Design),
) -> Callable[[Callable[[S], Outcome | None]], Callable[[S], Outcome | None]]:
    """Register the decorated function as a check; ``(ja, en)`` pairs for every text.

    ``designs``: the deployments the check applies to (default every one).
    """

    def add(function: Callable[[S], Outcome | None]) -> Callable[[S], Outcome | None]:
        CHECKS.register(
            check_id,
            Check(
                id=check_id,
                kind=kind,
                severity=severity,
                title_ja=title[0],
                title_en=title[1],
                risk_ja=risk[0],
                risk_en=risk[1],
                remediation_ja=remediation[0],
                remediation_en=remediation[1],
                evaluate=function,
                designs=designs,
            ),
        )
        return function

    return add


def parse_kind(text: str) -> Kind:
    try:
        return Kind(text)
    except ValueError:
        raise InputError(
            f"kind must be one of {', '.join(k.value for k in Kind)}, got {text!r}"
        ) from None
