"""The command line: exit codes, one-line errors, the report and the operations log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.store.sqlite import SQLiteStore


def test_malformed_month_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["report", "--month", "2025-13", "--db", str(tmp_path / "x.db")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "2025-08" in err


def test_unknown_option_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", "--colour", "blue"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--colour" in err


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--lang", "fr"],
        ["report", "--format", "xls"],
        ["report", "--source", "nowhere"],
        ["incident", "add", "--start", "yesterday", "--summary", "x"],
        ["incident", "add", "--start", "2025-08-01T10:00", "--summary", "x", "--severity", "huge"],
        ["maintenance", "add", "--start", "2025-08-01T10:00", "--end", "2025-08-01T09:00",
         "--description", "backwards"],
        ["worklog", "add", "--summary", "x", "--kind", "party"],
        ["incident", "annotate", "NO-SUCH-ID", "--cause", "x"],
    ],
)  # fmt: skip
def test_bad_input_exits_2(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*args, "--db", str(tmp_path / "x.db")]) == 2
    assert capsys.readouterr().err.startswith("portfolio: ")


def test_recorded_operations_reach_the_report(tmp_path: Path) -> None:
    db = str(tmp_path / "ops.db")
    SQLiteStore(db).close()  # commands refuse a store that is not there
    out = tmp_path / "out"
    assert run(["maintenance", "add", "--start", "2025-08-20T02:00", "--end", "2025-08-20T02:30",
                "--description", "patching", "--db", db]) == 0  # fmt: skip
    assert run(["worklog", "add", "--kind", "docs", "--summary", "runbook",
                "--at", "2025-08-05T10:00", "--db", db]) == 0  # fmt: skip
    assert run(["incident", "add", "--start", "2025-08-12T14:10", "--end", "2025-08-12T14:40",
                "--summary", "slow API", "--severity", "security", "--db", db]) == 0  # fmt: skip
    assert run(["report", "--month", "2025-08", "--out", str(out), "--db", db]) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["availability"]["planned_downtime_minutes"] == 30.0
    assert [w["kind"] for w in data["work"]["items"]] == ["docs"]
    assert data["incidents"][0]["summary"] == "slow API"
    assert data["incidents"][0]["cause"] is None
    kpis = {k["id"]: k for k in data["kpis"]}
    assert kpis["documentation_updates"]["actual"] == 1.0
    assert kpis["security_incidents"]["actual"] == 1.0
    assert kpis["security_incidents"]["met"] is False
    assert (out / "operations-report.ja.md").exists()
    assert (out / "operations-report.en.md").exists()


def test_annotating_a_detected_incident_records_its_cause(tmp_path: Path) -> None:
    db = str(tmp_path / "ops.db")
    SQLiteStore(db).close()  # commands refuse a store that is not there
    assert run(["incident", "annotate", "auto-outage-202508221806", "--cause", "bad deploy",
                "--db", db]) == 0  # fmt: skip
    from datetime import UTC, datetime

    store = SQLiteStore(tmp_path / "ops.db")
    [incident] = store.list_incidents(
        datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC)
    )
    assert incident.cause == "bad deploy"
    assert incident.started_at == datetime(2025, 8, 22, 18, 6, tzinfo=UTC)
