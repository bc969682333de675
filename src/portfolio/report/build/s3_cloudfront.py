"""サービス別運用状況 4. S3 + CloudFront: the site's probes, the distribution's logs."""

from __future__ import annotations

from portfolio.config import Settings
from portfolio.report.build.common import rounded, site_probe_counts
from portfolio.report.model import StaticSiteSection
from portfolio.sources.base import Observations


def build_static_site(obs: Observations, settings: Settings) -> StaticSiteSection:
    """4. S3 + CloudFront: the site's probes and the distribution's logs."""
    site = obs.static_site
    probed = site_probe_counts(obs)
    return StaticSiteSection(
        bucket=obs.site_bucket,
        distribution=obs.site_distribution,
        site_probes=probed.probes,
        site_ok_percent=rounded(100 * probed.ok / probed.probes, 3) if probed.probes else None,
        origin_error_rate_percent=rounded(100 * site.errors_5xx / site.requests, 4)
        if site and site.requests
        else None,
        edge_locations=site.edge_locations[:5] if site else [],
        requests=site.requests if site else None,
        cache_hit_ratio_percent=rounded(100 * site.cache_hits / site.requests)
        if site and site.requests and site.cache_hits is not None
        else None,
        cache_hit_target_percent=settings.report.cache_hit_target_pct,
        bytes_out=site.bytes_out if site else None,
        errors_5xx=site.errors_5xx if site else None,
        top_paths=site.top_paths[:5] if site else [],
    )
