"""The archive's index over three months with known figures: rows, links and chart data.

One month missed a KPI, one was written by an older schema (fields missing, one unknown):
each shows, the missing parts are named, and every figure is the month's report.json value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.report import numbers
from portfolio.report.archive import collect, write_archive
from portfolio.report.render.archive import ARCHIVE_KPIS
from portfolio.report.render.text import STATUS_ICON
from portfolio.report.rules import SERVICE_NAMES
from tests.report.archive_months import COSTS, FILES, KNOWN, OLD_SCHEMA, write_months
from tests.report.conftest import SimulatedMonth

ROW = re.compile(r'<tr data-month="(?P<month>[\d-]+)">(?P<body>.*?)</tr>', re.S)
KPI_CELL = re.compile(r'data-kpi="(?P<id>\w+)" data-status="(?P<status>\w+)">(?P<text>[^<]*)<')
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def reports(simulated: SimulatedMonth, tmp_path: Path) -> Path:
    return write_months(simulated.report, tmp_path)


def _rows(html: str) -> dict[str, str]:
    return {m["month"]: m["body"] for m in ROW.finditer(html)}


def _figure(html: str, uid: str) -> str:
    start = html.index(f'id="fig-{uid}"')
    return html[start : html.index("</figure>", start)]


def _data_rows(figure: str) -> list[list[str]]:
    body = figure[figure.index("<tbody>") : figure.index("</tbody>")]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def test_one_row_a_month_newest_first_with_its_kpis_as_the_report_marks_them(
    reports: Path,
) -> None:
    write_archive(reports)
    html = (reports / "index.html").read_text("utf-8")
    rows = _rows(html)
    assert list(rows) == sorted(KNOWN, reverse=True)
    for month, body in rows.items():
        cells = {m["id"]: m for m in KPI_CELL.finditer(body)}
        assert list(cells) == list(ARCHIVE_KPIS)
        for kpi_id, (_value, status) in KNOWN[month].items():
            assert cells[kpi_id]["status"] == status, (month, kpi_id)
            assert STATUS_ICON[status] in body
        assert cells["monthly_cost"]["text"].strip() == numbers.usd(KNOWN[month]["monthly_cost"][0])
    assert "❌" in rows["2025-07"]
    assert "❌" not in rows["2025-08"]


def test_links_go_to_each_language_and_format_that_exists(reports: Path) -> None:
    write_archive(reports)
    html = (reports / "index.html").read_text("utf-8")
    for month, body in _rows(html).items():
        links = set(HREF.findall(body))
        assert links == {f"{month}/{name}" for name in FILES[month]} | {f"{month}/report.json"}
        for link in links:
            assert (reports / link).is_file(), link
    assert 'href="index.en.html"' in html
    assert 'href="index.ja.html"' in (reports / "index.en.html").read_text("utf-8")


def test_the_older_schema_month_shows_and_names_what_it_lacks(reports: Path) -> None:
    archive = collect(reports)
    old = next(m.figures for m in archive.months if m.figures.month == OLD_SCHEMA)
    assert old.schema_version == "2.0"
    assert "traffic.daily" in old.missing
    assert "latency_ms.p95" in old.missing
    write_archive(reports)
    en = _rows((reports / "index.en.html").read_text("utf-8"))[OLD_SCHEMA]
    assert "Not in this month&#x27;s report.json (schema 2.0)" in en
    assert "traffic.daily" in en


def test_chart_data_are_each_months_figures(reports: Path, simulated: SimulatedMonth) -> None:
    write_archive(reports)
    html = (reports / "index.en.html").read_text("utf-8")
    availability = _data_rows(_figure(html, "r-availability"))
    assert availability == [[m, numbers.percent(KNOWN[m]["availability"][0], 3)] for m in KNOWN]
    figure = _figure(html, "r-costs")
    header = re.findall(r'<th scope="col">([^<]*)</th>', figure)
    first = simulated.report.costs.lines[0].service
    at = header.index(SERVICE_NAMES.get(first, first))
    cost = _data_rows(figure)
    assert [row[0] for row in cost] == list(KNOWN)
    assert [row[at] for row in cost] == [numbers.usd(COSTS[m]) for m in KNOWN]
    daily = _data_rows(_figure(html, "r-daily"))
    # The old month has no daily table: only the two newer months' days are drawn.
    expected = [
        [f"{m}{d.date.isoformat()[7:]}", numbers.count(d.requests)]
        for m in ("2025-07", "2025-08")
        for d in simulated.report.traffic.daily
    ]
    assert daily == expected
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    assert "<script" not in html


def test_more_than_twelve_months_fold_the_rest(simulated: SimulatedMonth, tmp_path: Path) -> None:
    reports = write_months(simulated.report, tmp_path)
    source = (reports / "2025-08" / "report.json").read_text("utf-8")
    for n in range(1, 12):
        month = f"2024-{n:02d}"
        (reports / month).mkdir()
        (reports / month / "report.json").write_text(
            source.replace('"month": "2025-08"', f'"month": "{month}"'), "utf-8"
        )
    write_archive(reports)
    html = (reports / "index.html").read_text("utf-8")
    assert len(_rows(html)) == 14
    assert '<details class="trends" open id="trends">' in html
    assert len(_data_rows(_figure(html, "r-availability"))) == 12
    assert len(_data_rows(_figure(html, "a-availability"))) == 14


def test_cli_writes_the_index_and_names_an_unreadable_month(reports: Path) -> None:
    assert run(["report", "archive", "--reports", str(reports)]) == 0
    assert (reports / "index.html").is_file()
    (reports / "2025-09").mkdir()
    (reports / "2025-09" / "report.json").write_text("{not json", "utf-8")
    assert run(["report", "archive", "--reports", str(reports)]) == 1
    assert "2025-09/report.json" in (reports / "index.html").read_text("utf-8")


def test_the_availability_chart_shows_a_half_point_drop(reports: Path) -> None:
    """99.5 % against 99.95 % and 100 %: on an axis from 0 the three points sit within
    1 px of each other (half a percent of ~190 px); the chart starts near the lowest."""
    write_archive(reports)
    figure = _figure((reports / "index.en.html").read_text("utf-8"), "r-availability")
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', figure)]
    ticks = _ticks(figure)
    assert len(ys) == len(KNOWN)
    june, july, august = ys  # oldest first, as the chart's x axis
    assert july - min(june, august) > 100  # px: the miss is most of the plot's height
    assert abs(june - august) < july - max(june, august)  # 99.95 and 100 near each other
    assert 99 <= min(ticks) <= 99.5
    assert max(ticks) >= 100
    cost = _figure((reports / "index.en.html").read_text("utf-8"), "r-monthly_cost")
    assert min(_ticks(cost)) == 0  # the other KPIs' axes start at 0


def _ticks(figure: str) -> list[float]:
    """The y axis's tick values (its labels right-aligned; the x labels are months)."""
    found = re.findall(r'class="tick" x="[\d.]+" y="[\d.]+" text-anchor="end">([\d.,]+)<', figure)
    return [float(t.replace(",", "")) for t in found]
