"""What every section of the composed document shares: its headings."""

from __future__ import annotations

from collections.abc import Callable

from portfolio.report.document import Document, Heading
from portfolio.report.fmt import Fmt
from portfolio.report.render.text import t

Section = Callable[[Document, Fmt], None]
"""A section adds its headings and blocks to the document, its figures written through Fmt."""


def heading(doc: Document, level: int, key: str, anchor: str, **values: object) -> None:
    """A heading in the document's language, with the anchor the HTML's table of contents links."""
    doc.add(Heading(level, t(doc.lang, key, **values), anchor))  # type: ignore[arg-type]
