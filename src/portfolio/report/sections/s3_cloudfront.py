"""サービス別運用状況 4. S3 + CloudFront: the static site and its distribution."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Document, Field, Fields, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading

EDGE_CITIES: dict[str, tuple[str, str]] = {
    "NRT": ("東京", "Tokyo"),
    "HND": ("東京", "Tokyo"),
    "KIX": ("大阪", "Osaka"),
    "ITM": ("大阪", "Osaka"),
    "FUK": ("福岡", "Fukuoka"),
    "ICN": ("ソウル", "Seoul"),
    "TPE": ("台北", "Taipei"),
    "HKG": ("香港", "Hong Kong"),
    "SIN": ("シンガポール", "Singapore"),
    "SYD": ("シドニー", "Sydney"),
    "BOM": ("ムンバイ", "Mumbai"),
    "SFO": ("サンフランシスコ", "San Francisco"),
    "LAX": ("ロサンゼルス", "Los Angeles"),
    "SEA": ("シアトル", "Seattle"),
    "IAD": ("ワシントンDC", "Washington DC"),
    "JFK": ("ニューヨーク", "New York"),
    "ORD": ("シカゴ", "Chicago"),
    "DFW": ("ダラス", "Dallas"),
    "LHR": ("ロンドン", "London"),
    "FRA": ("フランクフルト", "Frankfurt"),
    "CDG": ("パリ", "Paris"),
    "AMS": ("アムステルダム", "Amsterdam"),
}
"""CloudFront edge codes start with the nearest airport's IATA code; the city reads better."""


def s3_cloudfront(doc: Document, f: Fmt) -> None:
    site = f.r.services.static_site
    heading(doc, 3, "h.svc.site", "svc-site")
    heading(doc, 4, "h.svc.status", "svc-site-status")
    status = (
        f.t("reason.no_site_probe")
        if site.site_ok_percent is None
        else f.t(
            "site.ok" if site.site_ok_percent == 100 else "site.degraded",
            value=f.pct(site.site_ok_percent, 2),
            probes=numbers.count(site.site_probes),
        )
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.bucket"), site.bucket or f.t("reason.no_name")),
                Field(f.t("l.distribution"), site.distribution or f.t("reason.no_name")),
                Field(f.t("l.site"), status),
            ]
        )
    )
    heading(doc, 4, "h.svc.performance", "svc-site-performance")
    none = f.t("reason.no_cloudfront")
    cities: list[str] = []
    for code, _count in site.edge_locations:
        city = EDGE_CITIES.get(code[:3].upper())
        name = city[0 if f.lang == "ja" else 1] if city else code
        if name not in cities:
            cities.append(name)
    doc.add(
        Fields(
            [
                Field(
                    f.t("l.cache_hit"),
                    none
                    if site.cache_hit_ratio_percent is None
                    else f.t(
                        "value_target",
                        value=f.pct(site.cache_hit_ratio_percent, 0),
                        target=f.t("ge", value=f.pct(site.cache_hit_target_percent, 0)),
                    ),
                ),
                Field(
                    f.t("l.origin_errors"),
                    none
                    if site.origin_error_rate_percent is None
                    else f.pct(site.origin_error_rate_percent, 2),
                ),
                Field(f.t("l.edges"), ", ".join(cities) if cities else none),
                Field(
                    f.t("l.site_requests"),
                    none if site.requests is None else numbers.count(site.requests),
                ),
            ]
        ),
        Rule(),
    )
