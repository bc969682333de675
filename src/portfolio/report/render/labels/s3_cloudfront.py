"""サービス別運用状況 4. S3 + CloudFront."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.svc.site": "4. S3 + CloudFront",
    "l.bucket": "S3バケット",
    "l.distribution": "CloudFront",
    "reason.no_name": "データなし（ソースが名前を返しません）",
    "l.site": "静的サイト",
    "site.ok": "正常稼働（プローブ成功率 {value}、{probes}回）",
    "site.degraded": "一部失敗（プローブ成功率 {value}、{probes}回）",
    "reason.no_site_probe": "データなし（サイトのプローブ記録がありません）",
    "l.cache_hit": "キャッシュヒット率",
    "l.origin_errors": "オリジンエラー率",
    "l.edges": "エッジロケーション",
    "reason.no_cloudfront": "データなし（CloudFrontのログがありません）",
    "l.site_requests": "リクエスト数（CloudFront）",
    "l.site_bytes": "転送量",
}

EN: dict[str, str] = {
    "h.svc.site": "4. S3 + CloudFront",
    "l.bucket": "S3 bucket",
    "l.distribution": "CloudFront",
    "reason.no_name": "no data (the source gives no name)",
    "l.site": "Static site",
    "site.ok": "up (probe success {value}, {probes} probes)",
    "site.degraded": "partly failing (probe success {value}, {probes} probes)",
    "reason.no_site_probe": "no data (no probes of the site)",
    "l.cache_hit": "Cache hit ratio",
    "l.origin_errors": "Origin error rate",
    "l.edges": "Edge locations",
    "reason.no_cloudfront": "no data (no CloudFront logs)",
    "l.site_requests": "Requests (CloudFront)",
    "l.site_bytes": "Bytes served",
}
