"""`portfolio check`: output, exit codes, and the run recorded in the ops log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.infra.assembly import Assembly
from portfolio.store.sqlite import SQLiteStore
from tests.server import ServerProcess, free_port


def _runs(db: Path) -> list[object]:
    store = SQLiteStore(db)
    try:
        now = datetime.now(UTC)
        return list(store.list_check_runs(now - timedelta(hours=1), now + timedelta(hours=1)))
    finally:
        store.close()


def test_monthly_local_json_reports_the_template_and_the_store(
    tmp_path: Path, assembly: Assembly, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ops.db"
    code = run(
        [
            "check",
            "monthly",
            "--target",
            "local",
            "--format",
            "json",
            "--db",
            str(db),
            "--create",
            "--restore-test",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    findings = {f["check_id"]: f for f in out["findings"]}
    assert out["kind"] == "monthly"
    assert out["target"] == "local"
    assert findings["backup_pitr_enabled"]["status"] == "PASS"
    assert "portfolio-users" in findings["backup_pitr_enabled"]["detail"]
    assert findings["encrypt_tables"]["status"] == "PASS"
    assert findings["backup_restore_test"]["status"] == "PASS"
    assert "sqlite store ops.db" in findings["backup_restore_test"]["detail"]
    assert findings["sec_cloudfront_tls"]["status"] == "PASS"  # no custom domain
    assert code == 1  # WARN findings
    recorded = _runs(db)
    assert len(recorded) == 1
    assert recorded[0].id == out["id"]  # type: ignore[attr-defined]


def test_daily_local_against_a_live_server_passes_its_health_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "live.db"
    server = ServerProcess(db, workers=1)
    server.start()
    try:
        code = run(
            ["check", "daily", "--format", "json", "--url", server.base_url, "--db", str(db)]
        )
    finally:
        server.terminate()
    out = json.loads(capsys.readouterr().out)
    findings = {f["check_id"]: f["status"] for f in out["findings"]}
    assert findings["health_endpoint"] == "PASS"
    assert findings["health_targets"] == "PASS"
    assert code == (0 if out["passed"] else 1)


def test_daily_local_with_nothing_listening_fails_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        [
            "check",
            "daily",
            "--url",
            f"http://127.0.0.1:{free_port()}",
            "--db",
            str(tmp_path / "x.db"),
            "--create",
            "--format",
            "json",
        ]
    )
    findings = {f["check_id"]: f["status"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert findings["health_endpoint"] == "FAIL"
    assert findings["health_tasks"] == "FAIL"
    assert code == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "hourly"],
        ["check", "daily", "--target", "mars"],
        ["check", "daily", "--format", "xml"],
    ],
)
def test_could_not_run_exits_2_with_one_line(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run([*argv, "--db", str(tmp_path / "x.db")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1


def test_weekly_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["check", "weekly", "--db", str(tmp_path / "x.db"), "--create"])
    out = capsys.readouterr().out
    assert "perf_latency_target" in out
    assert code == 1  # an empty store has no week to review: WARN
