"""The report's tables as CSV files, for a spreadsheet.

Uptime tools are asked again and again for a CSV export of their monthly figures; these
files are the report's own tables (daily traffic, per endpoint, costs, incidents), taken
from the report model as they are, so a spreadsheet and the report never disagree.
Columns are the model's field names, in the model's order, so they read like
report.json; empty cells are figures with no data (null in report.json).

The files are UTF-8 with a byte-order mark: without it Excel reads UTF-8 as the
system's legacy code page and Japanese text turns into mojibake.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from portfolio.report.model import CostRow, DayCount, EndpointCount, IncidentRow, Report

ENCODING = "utf-8-sig"
"""UTF-8 that starts with a byte-order mark, the form Excel recognises."""

TABLES: dict[str, tuple[type[BaseModel], Callable[[Report], Sequence[BaseModel]]]] = {
    "daily": (DayCount, lambda report: report.traffic.daily),
    "endpoints": (EndpointCount, lambda report: report.traffic.by_endpoint),
    "costs": (CostRow, lambda report: report.costs.lines),
    "incidents": (IncidentRow, lambda report: report.incidents),
}
"""File stem -> (row model, the report's rows): one CSV file each."""


def _cell(value: object) -> object:
    # A figure with no data stays an empty cell (null in report.json), never a zero.
    return "" if value is None else value


def render_table(row_model: type[BaseModel], rows: Sequence[BaseModel]) -> str:
    """One table as CSV text: a header of field names, then one line per row.

    The header comes from the row model, so an empty table (a month with no
    incidents) is still a file with its columns.
    """
    columns = list(row_model.model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(columns)
    for row in rows:
        data = row.model_dump(mode="json")  # dates and times in ISO 8601 with their offset
        writer.writerow([_cell(data[column]) for column in columns])
    return buffer.getvalue()


def write_csv(report: Report, out: Path) -> list[Path]:
    """Write ``report.<table>.csv`` for every table beside report.json; return the paths."""
    paths = []
    for stem, (row_model, rows) in TABLES.items():
        path = out / f"report.{stem}.csv"
        path.write_text(render_table(row_model, rows(report)), encoding=ENCODING, newline="")
        paths.append(path)
    return paths
