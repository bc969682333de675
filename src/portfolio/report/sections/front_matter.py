"""文書情報 and 概要: who wrote the report, for which environment and month."""

from __future__ import annotations

from portfolio.report.document import Document, Field, Fields, Paragraph, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading


def document_info(doc: Document, f: Fmt) -> None:
    r = f.r
    heading(doc, 2, "h.document", "document")
    created = r.document.generated_at.astimezone(f.zone).date()
    doc.add(
        Fields(
            [
                Field(f.t("l.created"), f.day(created)),
                Field(f.t("l.version"), r.document.version),
                Field(f.t("l.applies_to"), r.document.environment),
                Field(f.t("l.author"), f.person(r.document.author)),
                Field(f.t("l.updated"), f.day(created)),
                Field(f.t("l.sources"), f.sources()),
                Field(f.t("l.timezone"), r.period.timezone),
            ]
        )
    )


def overview(doc: Document, f: Fmt) -> None:
    r = f.r
    heading(doc, 2, "h.overview", "overview")
    intro = "overview.text.simulated" if r.document.simulated else "overview.text"
    doc.add(Paragraph(f.t(intro, env=r.document.environment)))
    env_name = f.t("env." + r.document.target_environment)
    platform = f.t("platform." + r.document.platform)
    env = f"{env_name}（{platform}）" if f.lang == "ja" else f"{env_name} ({platform})"
    start = r.period.start.astimezone(f.zone).date()
    doc.add(
        Fields(
            [
                Field(f.t("l.target_env"), env),
                Field(f.t("l.frequency"), f.t("frequency." + r.document.frequency)),
                Field(f.t("l.period"), f.t("month", year=start.year, month=start.month)),
                Field(f.t("l.reporter"), f.person(r.document.author)),
            ],
            bullets=False,
        ),
        Rule(),
    )
