"""サービス別運用状況: the original's four services, each built in its own module."""

from __future__ import annotations

from portfolio.config import Settings
from portfolio.report.build.alb import build_entry_point
from portfolio.report.build.common import TrafficIndex
from portfolio.report.build.dynamodb import build_data_store
from portfolio.report.build.ecs import build_compute
from portfolio.report.build.s3_cloudfront import build_static_site
from portfolio.report.model import Availability, Services
from portfolio.sources.base import Observations


def build_services(
    obs: Observations,
    index: TrafficIndex,
    availability: Availability,
    settings: Settings,
    elapsed: float = 1.0,
) -> Services:
    return Services(
        compute=build_compute(obs, index, availability, settings),
        entry_point=build_entry_point(obs, index, availability, settings, elapsed),
        data_store=build_data_store(obs),
        static_site=build_static_site(obs, settings),
    )
