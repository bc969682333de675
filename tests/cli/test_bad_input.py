"""Bad input is refused with one line on stderr and exit 2, and nothing is written or recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.store.sqlite import SQLiteStore


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "ops.db")
    SQLiteStore(path).close()  # commands refuse a store that is not there
    return path


def refused(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    """Run the CLI; assert exit 2 and exactly one line on stderr, which is returned."""
    code = run(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("portfolio: "), err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12"])
@pytest.mark.parametrize(
    "command",
    [
        ["report"],
        ["incident", "list"],
        ["maintenance", "list"],
        ["worklog", "list"],
        ["logs", "athena"],
        ["demo"],
    ],
)
def test_a_month_outside_the_calendar_is_refused(
    command: list[str], month: str, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*command, "--month", month]
    if command[0] not in ("logs", "demo"):
        args += ["--db", db]
    if command[0] == "demo":
        args += ["--out", str(tmp_path / "demo")]
    err = refused(capsys, args)
    assert month in err
    assert not (tmp_path / "demo").exists()
