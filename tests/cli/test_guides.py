"""Errors that guide and no silent surprises: stores, formats, the PDF, logs, tables.

Each test is one of issue 24's items 5, 7, 9, 10 and 11, run through the real CLI.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from rich.cells import cell_len

from portfolio.cli import common, formats
from portfolio.cli.main import run
from portfolio.errors import ConfigError
from portfolio.report.render.pdf import find_browser
from portfolio.simulate.alb import write_alb_log
from portfolio.sketch import LatencySketch
from portfolio.sources.log_summary import summarize_logs
from portfolio.store.records import Rollup
from portfolio.store.sqlite import SQLiteStore
from tests.browser.seed import seed_traffic

LONG = "the API answered slowly while a deploy replaced both tasks one after the other " * 2
LONG_JA = "デプロイ中に二つのタスクが順に入れ替わり、その間の応答が遅くなった。" * 3


def test_incident_list_gives_the_summary_the_width_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "ops.db")
    for start, summary in (("2025-08-12T21:00", LONG), ("2025-08-13T09:00", LONG_JA)):
        assert run(["incident", "add", "--start", start, "--end", start[:-2] + "40",
                    "--summary", summary, "--cause", "a deploy", "--db", db,
                    "--create"]) == 0  # fmt: skip
    capsys.readouterr()
    monkeypatch.setattr(common.console, "width", 80)
    assert run(["incident", "list", "--month", "2025-08", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    # Two incidents in a screenful, not 47 lines; the summary column is at least 30 cells.
    assert len(lines) <= 20, "\n".join(lines)
    first = next(line for line in lines if line.startswith("01"))
    assert 80 - first.index("the API") >= 30, first  # where the summary column begins
    assert run(["incident", "list", "--month", "2025-08", "--db", db, "--json"]) == 0
    assert {i["summary"] for i in json.loads(capsys.readouterr().out)} == {LONG, LONG_JA}


def test_worklog_list_gives_the_summary_the_width_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "ops.db")
    assert run(["worklog", "add", "--summary", LONG_JA, "--at", "2025-08-05T10:00",
                "--db", db, "--create"]) == 0  # fmt: skip
    capsys.readouterr()
    monkeypatch.setattr(common.console, "width", 80)
    assert run(["worklog", "list", "--month", "2025-08", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert len(lines) <= 10, "\n".join(lines)


@pytest.fixture
def month_store(tmp_path: Path) -> Path:
    db = tmp_path / "month.db"
    store = SQLiteStore(db)
    seed_traffic(store, start=datetime(2025, 8, 4, tzinfo=UTC), hours=48)
    store.close()
    return db


@pytest.mark.parametrize("fmt", [["--format", "md", "--format", "json"], ["--format", "md,json"]])
def test_several_formats_are_written_in_one_run(
    fmt: list[str], month_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run(["report", "--month", "2025-08", "--db", str(month_store), "--out", str(out),
                *fmt]) == 0  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "operations-report.en.md", "operations-report.ja.md", "report.json",
    ]  # fmt: skip


COMMANDS_WITH_DB = [
    ["check", "daily"],
    ["report", "--month", "2025-08"],
    ["ops", "run", "daily", "--target", "local"],
    ["incident", "add", "--start", "2025-08-12T21:00", "--summary", "x"],
    ["incident", "annotate", "auto-outage-202508221806", "--cause", "x"],
    ["incident", "list"],
    ["maintenance", "add", "--start", "2025-08-12T21:00", "--end", "2025-08-12T22:00",
     "--description", "x"],
    ["maintenance", "list"],
    ["worklog", "add", "--summary", "x"],
    ["worklog", "list"],
    ["serve", "--no-probe"],
]  # fmt: skip


@pytest.mark.parametrize("args", COMMANDS_WITH_DB, ids=[" ".join(a[:2]) for a in COMMANDS_WITH_DB])
def test_a_missing_store_is_refused_in_one_line_and_not_created(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("PORTFOLIO_STORE__BACKEND", "PORTFOLIO_STORE__SQLITE_PATH"):
        monkeypatch.delenv(name, raising=False)  # serve sets them for its workers
    db = tmp_path / "nope.db"
    assert run([*args, "--db", str(db)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"portfolio: no store at {db}: create it with `portfolio store init")
    assert not db.exists()


def test_store_init_and_create_make_the_store(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    assert run(["store", "init", "--db", str(db)]) == 0
    assert db.exists()
    assert run(["worklog", "list", "--db", str(db)]) == 0
    other = tmp_path / "other.db"
    assert run(["worklog", "add", "--summary", "x", "--db", str(other), "--create"]) == 0
    assert run(["worklog", "list", "--db", str(other), "--json"]) == 0


def test_the_demos_alb_log_is_its_stored_traffic_and_logs_summary_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SQLiteStore(tmp_path / "demo.db")
    day = datetime(2025, 8, 30, 15, tzinfo=UTC)
    seed_traffic(store, start=day, hours=24)
    sketch = LatencySketch()
    sketch.add_many(np.full(3, 2.0))
    minute = int((day + timedelta(hours=2)).timestamp())
    store.write_rollups([Rollup(minute=minute, endpoint="(unmatched)", method="GET", status=404,
                                task="t2", count=3, sketch=sketch)])  # fmt: skip
    stored = sum(r.count for r in store.read_rollups(int(day.timestamp()), minute + 86_400))
    write_alb_log(store, day, tmp_path / "alb", np.random.default_rng(3))
    store.close()
    summary, _ = summarize_logs([str(tmp_path / "alb")], "Asia/Tokyo")
    assert summary.requests == stored
    assert summary.skipped == 0
    assert run(["logs", "summary", str(tmp_path / "alb")]) == 0
    assert "/wp-login.php" in capsys.readouterr().out


def test_a_cloudfront_log_given_to_logs_summary_names_an_option_that_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "cloudfront.log"
    log.write_text("#Version: 1.0\n#Fields: date time\n2025-08-01\t00:00:01\n", encoding="utf-8")
    assert run(["logs", "summary", str(log)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "`portfolio report --cloudfront-logs`" in line
    assert run(["report", "--help"]) == 0
    assert "--cloudfront-logs" in capsys.readouterr().out


MISSING = ["chromium", "fonts-noto-cjk", "fonts-noto-color-emoji"]


def test_a_pdf_asked_for_by_name_without_chromium_stops_before_writing(
    month_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(formats, "missing_packages", lambda: MISSING)
    out = tmp_path / "out"
    args = ["report", "--month", "2025-08", "--db", str(month_store), "--out", str(out)]
    assert run([*args, "--format", "md,pdf"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "sudo apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji" in line
    assert not out.exists()


def test_the_default_formats_without_chromium_write_the_rest_and_exit_0(
    month_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PORTFOLIO_CHROMIUM", str(tmp_path / "no-such-chromium"))
    out = tmp_path / "out"
    assert run(["report", "--month", "2025-08", "--db", str(month_store), "--out", str(out)]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("no PDF: it needs chromium")
    names = {p.name for p in out.iterdir()}
    assert "operations-report.html" in names
    assert "report.json" in names
    assert not [n for n in names if n.endswith(".pdf")]


def test_the_browser_hint_names_every_package_the_pdf_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("PORTFOLIO_CHROMIUM", raising=False)
    with pytest.raises(ConfigError) as raised:
        find_browser()
    for package in MISSING:
        assert package in str(raised.value)
