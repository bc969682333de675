"""The original report's words (headings, item labels, value phrases), Japanese and English.

One module per section of the original, each with its JA and EN words (``common`` holds
the words several sections share). The Japanese headings and labels are the original's
(docs/original/), character for character; tests compare them with that file. Merged into
render.text.TEXT, so one ``t(lang, key)`` serves every renderer and the two key sets are
checked equal.
"""

from __future__ import annotations

from portfolio.report.render.labels import (
    alb,
    appendix,
    archive,
    changes,
    common,
    costs,
    dynamodb,
    ecs,
    front_matter,
    incidents,
    kpis,
    performance,
    proposals,
    related,
    review,
    s3_cloudfront,
    security,
    services,
    summary,
    traffic,
    work,
)

__all__ = ["LABELS", "PROPOSALS", "SECTIONS"]

SECTIONS = (
    common,
    front_matter,
    summary,
    changes,
    services,
    ecs,
    alb,
    dynamodb,
    s3_cloudfront,
    performance,
    traffic,
    incidents,
    costs,
    security,
    work,
    proposals,
    kpis,
    review,
    related,
    appendix,
    archive,
)
"""The sections' word modules, in the original's order."""


def _merged(lang: str) -> dict[str, str]:
    words: dict[str, str] = {}
    for module in SECTIONS:
        catalogue = module.JA if lang == "ja" else module.EN
        clash = words.keys() & catalogue.keys()
        if clash:
            raise ValueError(f"label keys in two sections: {sorted(clash)}")
        words.update(catalogue)
    return words


LABELS: dict[str, dict[str, str]] = {"ja": _merged("ja"), "en": _merged("en")}
PROPOSALS: dict[str, dict[str, str]] = proposals.PROPOSALS
