"""The neutral document: the report as sections, items, tables, charts and notes.

Built once per language from the report model (report.compose) and written by the
Markdown and HTML back-ends, so the two formats hold the same items in the same
order and neither re-reads the other's output. Text here is already formatted
for reading; a back-end only chooses the markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 2–4, as in the original
    text: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Field:
    """One ``- **label**: value`` item of the original."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Fields:
    items: list[Field]
    bullets: bool = True
    """False: the original's bare ``**label**: value`` lines (概要, the closing block)."""


@dataclass(frozen=True, slots=True)
class Checklist:
    items: list[tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class Numbered:
    """``1. **title**: text`` points, each with optional sub-bullets (提案, 総括)."""

    items: list[tuple[str, str, list[str]]]


@dataclass(frozen=True, slots=True)
class Bullets:
    items: list[str]
    code: bool = False
    """Items of the form ``path - description`` whose path is code (関連ドキュメント)."""


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    collapse: bool = False
    """Long (a row a day): HTML folds it under its chart."""
    kpi: bool = False
    """The summary's 主要指標達成状況: HTML also draws it as tiles."""
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    """A method note: how a figure was measured (smaller, after the items)."""

    text: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the reader must see first (simulated data, a month in progress)."""

    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart by key; only the HTML back-end draws charts (report.render.charts)."""

    key: str


@dataclass(frozen=True, slots=True)
class Rule:
    """The original's ``---`` between sections."""


Block = (
    Heading
    | Fields
    | Checklist
    | Numbered
    | Bullets
    | Table
    | Paragraph
    | Note
    | Notice
    | Chart
    | Rule
)


@dataclass
class Document:
    title: str
    lang: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]
