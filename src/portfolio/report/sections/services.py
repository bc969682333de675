"""サービス別運用状況: the original's four services, each in its own module."""

from __future__ import annotations

from portfolio.report.document import Document
from portfolio.report.fmt import Fmt
from portfolio.report.sections.alb import alb
from portfolio.report.sections.common import heading
from portfolio.report.sections.dynamodb import dynamodb
from portfolio.report.sections.ecs import ecs
from portfolio.report.sections.s3_cloudfront import s3_cloudfront


def services(doc: Document, f: Fmt) -> None:
    heading(doc, 2, "h.services", "services")
    ecs(doc, f)
    alb(doc, f)
    dynamodb(doc, f)
    s3_cloudfront(doc, f)
