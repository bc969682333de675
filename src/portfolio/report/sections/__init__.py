"""The composer's sections: one module per section of the original 運用報告書.

Each section is a function ``(Document, Fmt) -> None`` that adds its headings and
blocks; report.compose runs them in the original's order.
"""

from portfolio.report.sections.alb import alb
from portfolio.report.sections.appendix import appendix
from portfolio.report.sections.changes import changes
from portfolio.report.sections.common import Section, heading
from portfolio.report.sections.costs import costs
from portfolio.report.sections.dynamodb import dynamodb
from portfolio.report.sections.ecs import ecs
from portfolio.report.sections.front_matter import document_info, overview
from portfolio.report.sections.incidents import incidents
from portfolio.report.sections.kpis import kpi_row, kpis
from portfolio.report.sections.performance import performance
from portfolio.report.sections.proposals import proposal_lines, proposals
from portfolio.report.sections.related import related
from portfolio.report.sections.review import review
from portfolio.report.sections.s3_cloudfront import s3_cloudfront
from portfolio.report.sections.security import security
from portfolio.report.sections.services import services
from portfolio.report.sections.summary import summary
from portfolio.report.sections.traffic import traffic
from portfolio.report.sections.work import work

__all__ = [
    "Section",
    "alb",
    "appendix",
    "changes",
    "costs",
    "document_info",
    "dynamodb",
    "ecs",
    "heading",
    "incidents",
    "kpi_row",
    "kpis",
    "overview",
    "performance",
    "proposal_lines",
    "proposals",
    "related",
    "review",
    "s3_cloudfront",
    "security",
    "services",
    "summary",
    "traffic",
    "work",
]
