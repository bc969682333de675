"""The conventions users bring from the AWS CLI, httpie and sqlite-utils.

--version, choices in --help, shell completion, --json on every list, --quiet, whole
ids, and times that say their zone (one setting decides it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio import __version__
from portfolio.cli import common
from portfolio.cli.main import run
from portfolio.report.write import WRITERS
from portfolio.store.ids import detected_incident_id, parse_detected_incident_id
from portfolio.store.sqlite import SQLiteStore


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Help is drawn for the terminal's width; a wide one keeps each option on one line."""
    monkeypatch.setenv("COLUMNS", "200")


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out == f"portfolio {__version__}\n"


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (["report"], "<" + "|".join([*WRITERS, "all"]) + ">"),
        (["report"], "<ja|en|all>"),
        (["incident", "add"], "<minor|major|critical|security>"),
        (["incident", "annotate"], "<minor|major|critical|security>"),
        (["worklog", "add"], "<improvement|docs|maintenance>"),
        (["check"], "<table|json>"),
        (["check"], "<daily|weekly|monthly>"),
    ],
)
def test_help_lists_the_choices(
    args: list[str], listed: str, wide: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*args, "--help"]) == 0
    out = capsys.readouterr().out
    assert listed in out
    assert "<str>" not in out.split(listed)[0].splitlines()[-1]  # that line shows the choices


def test_shell_completion_completes_commands() -> None:
    env = {**os.environ, "_PORTFOLIO_COMPLETE": "complete_bash",
           "COMP_WORDS": "portfolio incident l", "COMP_CWORD": "2"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", "from portfolio.cli.main import main; main()"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.stdout.split() == ["list"], done.stderr
    shown = subprocess.run(
        [sys.executable, "-c", "from portfolio.cli.main import main; main()",
         "--show-completion", "bash"],
        # Without this, Typer asks the parent process which shell it is, and a pytest
        # worker's parent is Python, not a shell: the named shell must decide.
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "_PORTFOLIO_COMPLETE" in shown.stdout


def test_every_list_prints_json_with_whole_ids_and_zoned_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "ops.db")
    SQLiteStore(db).close()  # commands refuse a store that is not there
    # One of each record, at 21:00 Tokyo time on 2025-08-12 (12:00 UTC).
    for args in (
        ["incident", "add", "--start", "2025-08-12T21:00", "--end", "2025-08-12T21:30",
         "--summary", "応答遅延"],
        ["maintenance", "add", "--start", "2025-08-12T21:00", "--end", "2025-08-12T21:30",
         "--description", "patching"],
        ["worklog", "add", "--summary", "runbook", "--kind", "docs", "--at", "2025-08-12T21:00"],
    ):  # fmt: skip
        assert run([*args, "--db", db]) == 0
    capsys.readouterr()
    listed = {}
    for name in ("incident", "maintenance", "worklog"):
        assert run([name, "list", "--month", "2025-08", "--json", "--db", db]) == 0
        listed[name] = json.loads(capsys.readouterr().out)
    (incident,), (window,), (item,) = listed.values()
    assert incident["summary"] == "応答遅延"
    assert incident["started_at"] == "2025-08-12T12:00:00+00:00"
    assert len(incident["id"]) == 26
    assert window["description"] == "patching"
    assert window["end"] == "2025-08-12T12:30:00+00:00"
    assert item["kind"] == "docs"
    assert item["at"] == "2025-08-12T12:00:00+00:00"


def test_quiet_prints_nothing_but_json_still_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "ops.db")
    SQLiteStore(db).close()  # commands refuse a store that is not there
    assert run(["-q", "worklog", "add", "--summary", "x", "--at", "2025-08-01T10:00",
                "--db", db]) == 0  # fmt: skip
    assert capsys.readouterr().out == ""
    assert run(["-q", "worklog", "list", "--month", "2025-08", "--db", db]) == 0
    assert capsys.readouterr().out == ""
    assert run(["-q", "worklog", "list", "--month", "2025-08", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)[0]["summary"] == "x"
    # Without --quiet, the next command speaks again.
    assert run(["worklog", "list", "--month", "2025-08", "--db", db]) == 0
    assert "2025-08-01 10:00" in capsys.readouterr().out


def test_incident_list_shows_whole_ids_on_a_narrow_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "ops.db")
    SQLiteStore(db).close()  # commands refuse a store that is not there
    assert run(["incident", "add", "--start", "2025-08-12T21:00", "--summary",
                "a long summary that takes the room of a narrow terminal " * 3,
                "--cause", "a cause that wants room too", "--db", db]) == 0  # fmt: skip
    incident_id = capsys.readouterr().out.split()[-1]
    monkeypatch.setattr(common.console, "width", 60)
    assert run(["incident", "list", "--month", "2025-08", "--db", db]) == 0
    out = capsys.readouterr().out
    assert incident_id in out
    assert "…" not in out.split(incident_id)[0].splitlines()[-1]
    # The id it shows is the one `incident annotate` takes.
    assert run(["incident", "annotate", incident_id, "--cause", "deploy", "--db", db]) == 0


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Tokyo", "2025-08-12 21:00 JST"), ("UTC", "2025-08-12 12:00 UTC")],
)
def test_times_are_shown_in_the_one_setting_zone_with_its_name(
    zone: str,
    shown: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = str(tmp_path / "ops.db")
    SQLiteStore(db).close()  # commands refuse a store that is not there
    assert run(["incident", "add", "--start", "2025-08-12T12:00Z", "--end", "2025-08-12T12:30Z",
                "--summary", "slow", "--db", db]) == 0  # fmt: skip
    assert run(["maintenance", "add", "--start", "2025-08-12T12:00Z", "--end",
                "2025-08-12T12:30Z", "--description", "patching", "--db", db]) == 0  # fmt: skip
    assert run(["worklog", "add", "--summary", "x", "--at", "2025-08-12T12:00Z",
                "--db", db]) == 0  # fmt: skip
    capsys.readouterr()
    monkeypatch.setenv("PORTFOLIO_REPORT__TIMEZONE", zone)
    monkeypatch.setattr(common.console, "width", 200)
    for name in ("incident", "maintenance", "worklog"):
        assert run([name, "list", "--month", "2025-08", "--db", db]) == 0
        assert shown in capsys.readouterr().out, name


@pytest.mark.parametrize(("zone", "name"), [("Asia/Tokyo", "JST"), ("UTC", "UTC")])
def test_check_says_the_zone_of_its_run(
    zone: str,
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PORTFOLIO_REPORT__TIMEZONE", zone)
    monkeypatch.setattr(common.console, "width", 200)
    # Nothing listens on port 9 of loopback: the health checks fail fast, the table prints.
    run(
        [
            "check",
            "daily",
            "--url",
            "http://127.0.0.1:9",
            "--db",
            str(tmp_path / "ops.db"),
            "--create",
        ]
    )
    title = capsys.readouterr().out.splitlines()[0]
    assert title.strip().startswith("daily checks on local at ")
    assert title.strip().endswith(f" {name}")


def test_detected_incident_ids_round_trip() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    tokyo = timezone(timedelta(hours=9))
    start = datetime(2025, 8, 22, 18, 6, tzinfo=UTC)
    made = detected_incident_id("outage", start.astimezone(tokyo))
    assert made == "auto-outage-202508221806"
    assert parse_detected_incident_id(made) == ("outage", start)
    assert parse_detected_incident_id("01K2ABCDEFGHJKMNPQRSTVWXYZ") is None


def test_check_takes_json_like_every_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        ["-q", "check", "daily", "--json", "--url", "http://127.0.0.1:9",
         "--db", str(tmp_path / "ops.db"), "--create"]
    )  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "daily"
    assert out["started_at"].endswith("+00:00")
    assert code == (0 if out["passed"] else 1)
