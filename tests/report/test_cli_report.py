"""`portfolio report` never writes a silent empty: no data is exit 1, a missing store exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.store.sqlite import SQLiteStore


def test_a_month_without_data_writes_nothing_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "empty.db"
    SQLiteStore(db).close()
    out = tmp_path / "out"
    code = run(["report", "--month", "2025-08", "--db", str(db), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "2025-08" in err
    assert not out.exists() or not any(out.iterdir())


def test_allow_empty_writes_the_no_data_report(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    SQLiteStore(db).close()
    out = tmp_path / "out"
    code = run(["report", "--month", "2025-08", "--db", str(db), "--out", str(out),
                "--format", "md", "--allow-empty"])  # fmt: skip
    assert code == 0
    assert "データなし" in (out / "operations-report.ja.md").read_text(encoding="utf-8")


def test_a_missing_store_is_an_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "typo.db"
    code = run(["report", "--month", "2025-08", "--db", str(db), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith(f"portfolio: no store at {db}: create it with `portfolio store init")
    assert not db.exists()
