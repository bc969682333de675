"""Tables for a terminal of any width: the long text gets the room, short columns shrink.

Rich shares a narrow terminal's width among all columns, so on 80 columns a record's
summary ended three characters wide and one Japanese character a line. Here the widths
are decided first: a *key* column (an id that `incident annotate` takes) is never cut,
*short* columns (times, kinds) give up width by wrapping at their spaces, and the one
*text* column gets everything left, wrapping at words (East Asian text anywhere).
``--json`` stays the machine form; this is only what a person reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.table import Table

SEPARATOR = 3
"""Cells between two columns (padding, rule, padding) in the table drawn below."""
TEXT_FLOOR = 30
"""The text column is not squeezed under this while a short column can still wrap."""


@dataclass(frozen=True)
class Column:
    header: str
    kind: Literal["key", "short", "text"] = "short"
    justify: Literal["left", "right"] = "left"


def _natural(cells: Sequence[str]) -> int:
    return max((cell_len(line) for cell in cells for line in cell.splitlines() or [""]), default=0)


def _longest_word(cells: Sequence[str]) -> int:
    return max((cell_len(word) for cell in cells for word in cell.split()), default=1)


def widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """Each column's width so that the table fits ``width`` cells, as described above."""
    cells = [[col.header, *(row[i] for row in rows)] for i, col in enumerate(columns)]
    natural = [_natural(c) for c in cells]
    room = width - SEPARATOR * (len(columns) - 1)
    if sum(natural) <= room:
        return natural
    text = [i for i, col in enumerate(columns) if col.kind == "text"]
    sized = list(natural)
    floor = min(sum(natural[i] for i in text), max(TEXT_FLOOR, room // 2))
    # Shrink the widest short column first, down to its longest word, until the text fits.
    shorts = sorted(
        (i for i, col in enumerate(columns) if col.kind == "short"), key=lambda i: -natural[i]
    )
    for i in shorts:
        left = room - sum(w for j, w in enumerate(sized) if j not in text)
        if left >= floor:
            break
        sized[i] = max(_longest_word(cells[i]), natural[i] - (floor - left))
    left = max(room - sum(w for j, w in enumerate(sized) if j not in text), len(text) * 8)
    total = sum(natural[i] for i in text) or 1
    for i in text:
        sized[i] = max(8, left * natural[i] // total)
    return sized


def fit_table(
    title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int
) -> Table:
    """A Rich table of ``rows`` that fits ``width`` cells (see the module's docstring)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column, size in zip(columns, widths(columns, rows, width), strict=True):
        table.add_column(
            column.header,
            width=size,
            justify=column.justify,
            no_wrap=column.kind == "key",
            overflow="fold",
        )
    for row in rows:
        table.add_row(*row)
    return table
