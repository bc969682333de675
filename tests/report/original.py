"""The original 運用報告書 (docs/original/), parsed into headings and item labels.

Tests compare the generated report with this parse, never with a hand-typed list:
the original file is the specification.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT / "docs" / "original" / "operations-report-2025-08.ja.md"
SEEDS = (
    ROOT.parent / "shared" / "seed" / "000_c6efa3a35d755c21.txt",
    ROOT.parent.parent / "shared" / "seed" / "000_c6efa3a35d755c21.txt",
)
"""Where the original lives beside a checkout (or a worktree) in the project's workspace."""
SHA256 = "9e78e64a7d4a42ba4c474818c07fb99048e0c043bd3d1cb750b6c2821f0d9a3b"
"""The original's digest, so the copy is checked even where the workspace copy is absent."""

_HEADING = re.compile(r"^(#{2,4})\s+(.+?)\s*$")
_FIELD = re.compile(r"^(?:- )?\*\*(.+?)\*\*:")
_CHECK = re.compile(r"^- \[[ x]\] (.+?)(?:（\d+回）)?$")
_PROBLEM = re.compile(r"^問題\d+:")


def heading_text(raw: str) -> str:
    """'**1. ECS/Fargate**' -> 'ECS/Fargate': without bold marks and a leading number."""
    text = raw.replace("*", "").strip()
    return re.sub(r"^\d+\.\s*", "", text)


@dataclass(frozen=True)
class Item:
    path: tuple[str, ...]  # the headings above it
    kind: str  # "field" | "check" | "table-header" | "table-row"
    label: str


def parse(markdown: str) -> tuple[list[tuple[int, str]], list[Item]]:
    """Headings (level, text) and labelled items, each with the heading path above it."""
    headings: list[tuple[int, str]] = []
    items: list[Item] = []
    path: list[str] = []
    table_rows = 0
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            level, text = len(match.group(1)), heading_text(match.group(2))
            headings.append((level, text))
            path = [*path[: level - 2], text]
            table_rows = 0
            continue
        if line.startswith("|"):
            cells = [c.strip().replace("*", "") for c in line.strip("|").split("|")]
            if set("".join(cells)) <= set("-: "):
                continue
            kind = "table-header" if table_rows == 0 else "table-row"
            table_rows += 1
            if kind == "table-header":
                items += [Item(tuple(path), kind, c) for c in cells]
            else:
                items.append(Item(tuple(path), kind, cells[0]))
            continue
        table_rows = 0
        field = _FIELD.match(line)
        if field:
            items.append(Item(tuple(path), "field", field.group(1)))
            continue
        check = _CHECK.match(line)
        if check:
            items.append(Item(tuple(path), "check", check.group(1)))
    return headings, items


def original_text() -> str:
    return ORIGINAL.read_text(encoding="utf-8")


def is_data_driven(path: tuple[str, ...]) -> bool:
    """Sections whose items are this month's own (incidents, work items, proposals, review)."""
    # リクエストパターン lists this month's busiest endpoints (telemetry keeps no method).
    data_sections = {"問題詳細", "改善作業", "ドキュメント更新", "改善提案・次期計画", "総括・所感",
                     "リクエストパターン"}  # fmt: skip
    return bool(data_sections & set(path)) or any(_PROBLEM.match(p) for p in path)
