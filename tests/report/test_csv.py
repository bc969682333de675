"""The CSV export: the report's own tables, readable by Excel, in `--format all`."""

from __future__ import annotations

import csv
from pathlib import Path

from portfolio.report.render.csv import TABLES, write_csv
from portfolio.report.write import WRITERS, write_report
from tests.report.conftest import SimulatedMonth


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_table_is_written_beside_report_json(
    simulated: SimulatedMonth, tmp_path: Path
) -> None:
    written = write_report(simulated.report, tmp_path, formats=["json", "csv"], langs=["ja"])
    names = {path.name for path in written}
    assert names == {"report.json", *(f"report.{stem}.csv" for stem in TABLES)}
    assert set(TABLES) == {"daily", "endpoints", "costs", "incidents"}
    assert "csv" in WRITERS  # so `--format all` and the demo write it


def test_files_start_with_a_byte_order_mark(simulated: SimulatedMonth, tmp_path: Path) -> None:
    for path, (row_model, _) in zip(
        write_csv(simulated.report, tmp_path), TABLES.values(), strict=True
    ):
        header = ",".join(row_model.model_fields).encode()
        assert path.read_bytes().startswith(b"\xef\xbb\xbf" + header + b"\r\n"), path.name


def test_rows_are_the_report_models_rows(simulated: SimulatedMonth, tmp_path: Path) -> None:
    report = simulated.report
    write_csv(report, tmp_path)
    daily = _read(tmp_path / "report.daily.csv")
    assert len(daily) == len(report.traffic.daily) > 0
    assert [row["date"] for row in daily] == [d.date.isoformat() for d in report.traffic.daily]
    assert [int(row["requests"]) for row in daily] == [d.requests for d in report.traffic.daily]
    endpoints = _read(tmp_path / "report.endpoints.csv")
    assert [row["endpoint"] for row in endpoints] == [
        e.endpoint for e in report.traffic.by_endpoint
    ]
    costs = _read(tmp_path / "report.costs.csv")
    assert [float(row["usd"]) for row in costs] == [line.usd for line in report.costs.lines]
    incidents = _read(tmp_path / "report.incidents.csv")
    assert [row["id"] for row in incidents] == [i.id for i in report.incidents]
    assert len(incidents) > 0  # the demo month has incidents, so this compares something
    # Times keep their offset, so a spreadsheet knows the zone.
    assert incidents[0]["start"] == report.incidents[0].start.isoformat().replace("+00:00", "Z")


def test_no_data_is_an_empty_cell_and_japanese_survives(
    simulated: SimulatedMonth, tmp_path: Path
) -> None:
    first = simulated.report.incidents[0]
    changed = first.model_copy(update={"cause": None, "summary": "応答遅延(検知)"})
    report = simulated.report.model_copy(update={"incidents": [changed]})
    write_csv(report, tmp_path)
    (row,) = _read(tmp_path / "report.incidents.csv")
    assert row["cause"] == ""
    assert row["summary"] == "応答遅延(検知)"


def test_an_empty_table_still_has_its_header(simulated: SimulatedMonth, tmp_path: Path) -> None:
    report = simulated.report.model_copy(update={"incidents": []})
    write_csv(report, tmp_path)
    text = (tmp_path / "report.incidents.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == [",".join(TABLES["incidents"][0].model_fields)]
