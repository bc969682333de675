"""store export / import / copy: round trips, bad files refused by line, a killed copy resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portfolio.cli.main import run as cli
from portfolio.store.kinds import TimeRange
from portfolio.store.protocols import Store
from portfolio.store.sqlite import SQLiteStore
from portfolio.store.transfer import Checkpoint, FileSink, FileSource, StoreSink, StoreSource, run
from portfolio.store.transfer.jsonl import SCHEMA_VERSION
from tests.conftest import STORE_FACTORIES
from tests.contract.test_transfer import fill, lines, listed

ROOT = Path(__file__).resolve().parents[2]
EVERYTHING = TimeRange()


def _record_lines(path: Path) -> list[bytes]:
    """The record lines of an export file, sorted (the header and end record left out)."""
    body = path.read_bytes().splitlines(keepends=True)[1:-1]
    return sorted(body)


def test_round_trip_through_a_file_on_each_backend(store: Store, tmp_path: Path) -> None:
    """export -> import into an empty store -> export again gives the same records."""
    fill(store)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    checkpoints = tmp_path / "checkpoints"
    outcome = run(
        StoreSource(store, EVERYTHING, "a"), FileSink(first, store.backend, EVERYTHING),
        Checkpoint(checkpoints, "a", "first", EVERYTHING), lambda done, total: None,
    )  # fmt: skip
    assert outcome.source == outcome.target == store.count_records(EVERYTHING)
    for empty in STORE_FACTORIES[store.backend](tmp_path / "b"):
        source = FileSource(first)
        run(
            source, StoreSink(empty, EVERYTHING, "b"),
            Checkpoint(checkpoints, "first", "b", EVERYTHING), lambda done, total: None,
        )  # fmt: skip
        run(
            StoreSource(empty, EVERYTHING, "b"), FileSink(second, empty.backend, EVERYTHING),
            Checkpoint(checkpoints, "b", "second", EVERYTHING), lambda done, total: None,
        )  # fmt: skip
        assert lines(listed(empty)) == lines(listed(store))
    assert _record_lines(second) == _record_lines(first)
    assert not list(checkpoints.glob("*.json"))  # done: no checkpoint left behind


def _export(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "source.db"
    store = SQLiteStore(db)
    fill(store)
    store.close()
    out = tmp_path / "export.jsonl"
    assert cli(["store", "export", str(out), "--from", f"sqlite:{db}"]) == 0
    return db, out


def test_cli_round_trip_and_a_second_import_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, out = _export(tmp_path)
    target = tmp_path / "target.db"
    again = tmp_path / "again.jsonl"
    for _ in range(2):
        assert cli(["store", "import", str(out), "--to", f"sqlite:{target}"]) == 0
    assert cli(["store", "export", str(again), "--from", f"sqlite:{target}"]) == 0
    assert _record_lines(again) == _record_lines(out)
    assert not (tmp_path / "export.jsonl.partial").exists()


def _refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> tuple[int, str, Path]:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    target = tmp_path / "fresh.db"
    capsys.readouterr()
    code = cli(["store", "import", str(bad), "--to", f"sqlite:{target}"])
    err = capsys.readouterr().err
    return code, err, target


def _nothing_in(target: Path) -> bool:
    if not target.exists():
        return True
    store = SQLiteStore(target)
    try:
        return store.count_records(EVERYTHING) == {}
    finally:
        store.close()


@pytest.mark.parametrize("cut", ["mid-line", "at-a-line-end"])
def test_a_truncated_file_is_refused_with_its_line_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cut: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _, out = _export(tmp_path)
    all_lines = out.read_bytes().splitlines(keepends=True)
    keep = all_lines[:10]
    content = b"".join(keep) + (all_lines[10][:25] if cut == "mid-line" else b"")
    code, err, target = _refused(tmp_path, capsys, content)
    assert code == 2
    line = 11 if cut == "mid-line" else 10
    assert f"line {line}:" in err
    assert "truncated" in err
    assert len(err.strip().splitlines()) == 1
    assert _nothing_in(target)


def test_an_unknown_kind_and_a_newer_schema_are_refused_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, out = _export(tmp_path)
    all_lines = out.read_bytes().splitlines(keepends=True)
    unknown = [*all_lines[:4], b'{"v": 1, "kind": "gadget", "data": {}}\n', *all_lines[4:]]
    code, err, target = _refused(tmp_path, capsys, b"".join(unknown))
    assert (code, "line 5: unknown record kind 'gadget'" in err) == (2, True)
    assert _nothing_in(target)
    newer = [
        *all_lines[:6],
        all_lines[6].replace(b'"v":1', f'"v":{SCHEMA_VERSION + 1}'.encode()),
        *all_lines[7:],
    ]
    code, err, target = _refused(tmp_path, capsys, b"".join(newer))
    assert code == 2
    assert f"line 7: written with schema version {SCHEMA_VERSION + 1}" in err
    assert _nothing_in(target)


def test_a_copy_killed_mid_way_resumes_to_the_same_result(
    tmp_path: Path, dynamodb_endpoint: str
) -> None:
    """A real `portfolio store copy` process, SIGKILLed once a checkpoint exists, then run
    again: the DynamoDB target ends with exactly the source's records."""
    from tests.dynamodb_local import dynamodb_store

    db = tmp_path / "source.db"
    source = SQLiteStore(db)
    fill(source)
    from portfolio.store.records import Rollup
    from tests.contract.test_transfer import HOUR

    rollups = [
        Rollup(HOUR + 60 * (i // 40), f"/e{i % 40}", "GET", 200, "t1", count=1 + i % 5)
        for i in range(6000)
    ]
    source.write_rollups(rollups)
    for target in dynamodb_store(tmp_path):
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PORTFOLIO_STORE__USERS_TABLE": target.users_table,  # type: ignore[attr-defined]
            "PORTFOLIO_STORE__METRICS_TABLE": target.metrics_table,  # type: ignore[attr-defined]
        }
        command = [
            sys.executable, "-m", "portfolio", "store", "copy", "--from", f"sqlite:{db}",
            "--to", f"dynamodb:{dynamodb_endpoint}",
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
        checkpoints = tmp_path / ".portfolio" / "transfers"
        deadline = time.monotonic() + 60
        while not list(checkpoints.glob("*.json")) and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL, "the copy ended before it was killed"
        partial = target.count_records(EVERYTHING)
        assert sum(partial.values()) < sum(source.count_records(EVERYTHING).values())
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "resumed from a checkpoint" in done.stdout
        assert lines(listed(target)) == lines(listed(source))
        assert target.count_records(EVERYTHING) == source.count_records(EVERYTHING)
    source.close()


def test_cli_sums_says_sqlite_keeps_its_sums_by_trigger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kept.db"
    SQLiteStore(db).close()
    capsys.readouterr()
    args = ["--since", "2025-08-01", "--until", "2025-09-01", "--store", f"sqlite:{db}"]
    assert cli(["store", "sums", *args]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert cli(["store", "sums", "--since", "2025-09-01", "--until", "2025-08-01"]) == 2
