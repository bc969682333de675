"""The one registry shape every plug-in point uses: duplicates refused, unknown keys named."""

from __future__ import annotations

import pytest

from portfolio.checks.base import CHECKS
from portfolio.checks.collectors import COLLECTORS
from portfolio.errors import ConfigError, InputError
from portfolio.registry import Registry
from portfolio.scheduled.jobs import JOBS
from portfolio.sources.base import SOURCES
from portfolio.store.measured import TRANSLATORS


def test_register_get_and_names_keep_registration_order() -> None:
    jobs: Registry[str, int] = Registry("job")
    jobs.register("daily", 1)

    @jobs.add("weekly")
    def weekly() -> int:  # a decorator registers what it decorates, and returns it
        return 2

    assert jobs.names() == ["daily", "weekly"]
    assert jobs["daily"] == 1
    assert jobs.get("monthly") is None
    assert "weekly" in jobs
    assert len(jobs) == 2


def test_a_key_registered_twice_is_refused() -> None:
    jobs: Registry[str, int] = Registry("job")
    jobs.register("daily", 1)
    with pytest.raises(ValueError, match="job 'daily' registered twice"):
        jobs.register("daily", 2)
    assert jobs["daily"] == 1


def test_an_unknown_key_names_what_there_is_in_the_callers_error() -> None:
    jobs: Registry[str, int] = Registry("job", unknown=ConfigError)
    jobs.register("daily", 1)
    jobs.register("weekly", 2)
    with pytest.raises(ConfigError, match="unknown job 'monthy'; available: daily, weekly"):
        jobs["monthy"]
    with pytest.raises(LookupError, match="available: none"):
        Registry[str, int]("source")["aws"]


def test_every_plug_in_point_is_a_registry() -> None:
    for registry in (CHECKS, COLLECTORS, JOBS, SOURCES, TRANSLATORS):
        assert isinstance(registry, Registry)
    with pytest.raises(InputError, match="unknown check 'no-such-check'"):
        CHECKS["no-such-check"]
