"""Bad input is refused with one line on stderr and exit 2, and nothing is written or recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import botocore.exceptions
import pytest

from portfolio.cli.main import run
from portfolio.store.records import CheckRun
from portfolio.store.sqlite import SQLiteStore


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "ops.db")
    SQLiteStore(path).close()  # commands refuse a store that is not there
    return path


def recorded_runs(db: str) -> list[CheckRun]:
    store = SQLiteStore(db)
    try:
        return store.list_check_runs(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC))
    finally:
        store.close()


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


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials anywhere botocore looks (environment, files, instance metadata)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")


@pytest.fixture
def dummy_credentials(monkeypatch: pytest.MonkeyPatch, no_credentials: None) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")


AWS_COMMANDS = [
    ["report", "--month", "2025-08", "--source", "aws"],
    ["ops", "run", "report", "--target", "local", "--source", "aws", "--month", "2025-08"],
    ["check", "daily", "--target", "aws"],
]


@pytest.mark.parametrize("command", AWS_COMMANDS)
def test_aws_without_credentials_is_one_line_saying_how_to_give_them(
    command: list[str], no_credentials: None, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run([*command, "--db", db])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.err.count("\n") == 1, captured.err
    assert "AWS credentials" in captured.err
    assert "AWS_PROFILE" in captured.err
    assert "aws sso login" in captured.err
    if command[0] == "ops":  # the job's contract: its summary says it could not run
        assert "could not run" in captured.out
    assert recorded_runs(db) == []


@pytest.mark.parametrize("command", AWS_COMMANDS)
def test_an_unreachable_aws_endpoint_is_one_line_naming_it(
    command: list[str], dummy_credentials: None, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run([*command, "--db", db, "--endpoint-url", "http://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert "cannot reach AWS at http://127.0.0.1:1" in err


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (botocore.exceptions.NoCredentialsError(), "AWS_PROFILE"),
        (botocore.exceptions.PartialCredentialsError(provider="env", cred_var="x"), "AWS_PROFILE"),
        (botocore.exceptions.TokenRetrievalError(provider="sso", error_msg="x"), "aws sso login"),
        (botocore.exceptions.SSOTokenLoadError(error_msg="expired"), "aws sso login"),
        (botocore.exceptions.UnauthorizedSSOTokenError(), "aws sso login"),
        (botocore.exceptions.EndpointConnectionError(endpoint_url="https://x.test"), "x.test"),
        (botocore.exceptions.ConnectTimeoutError(endpoint_url="https://x.test"), "x.test"),
    ],
)
def test_each_way_aws_cannot_be_asked_is_one_line_and_exit_2(
    error: Exception, says: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr("portfolio.cli.docs.render_schema", fail)
    assert run(["docs", "schema", "--out", "unused.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert says in err


@pytest.mark.parametrize("url", ["notaurl", "ftp://example.com", "http://", "https:///health"])
@pytest.mark.parametrize(
    "command", [["check", "daily"], ["ops", "run", "daily", "--target", "local"]]
)
def test_a_check_url_that_is_not_http_is_refused_before_anything_runs(
    command: list[str], url: str, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(capsys, [*command, "--db", db, "--url", url])
    assert repr(url) in err
    assert recorded_runs(db) == []


def test_archiving_a_reports_directory_that_does_not_exist_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "x" / "typo"
    err = refused(capsys, ["report", "archive", "--reports", str(typo)])
    assert f"no such reports directory: {typo}" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("blank", ["", "   "])
@pytest.mark.parametrize(
    "command",
    [
        ["worklog", "add", "--summary", "{}"],
        ["incident", "add", "--start", "2025-08-01T10:00", "--summary", "{}"],
        ["incident", "annotate", "NO-SUCH-ID", "--summary", "{}"],
        ["maintenance", "add", "--start", "2025-08-01T10:00", "--end", "2025-08-01T11:00",
         "--description", "{}"],
    ],
)  # fmt: skip
def test_blank_text_is_refused_and_nothing_is_recorded(
    command: list[str], blank: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.db"
    args = [blank if word == "{}" else word for word in command]
    create = ["--create"] if command[1] == "add" else []  # annotate never creates a store
    err = refused(capsys, [*args, "--db", str(db), *create])
    assert "must not be empty" in err
    assert not db.exists()  # not even the store --create would make


@pytest.mark.parametrize("value", ["", " ", ","])
def test_an_empty_report_format_is_refused(
    value: str, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["report", "--month", "2025-08", "--allow-empty", "--format", value]
    err = refused(capsys, [*args, "--db", db, "--out", str(out)])
    assert "--format" in err
    assert not out.exists()


@pytest.fixture
def not_a_dir(tmp_path: Path) -> Path:
    """A file where a directory is needed (refused as such even when run as root)."""
    path = tmp_path / "afile"
    path.write_text("")
    return path


def test_a_report_out_that_cannot_be_made_is_one_line_with_no_blank_before(
    not_a_dir: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = not_a_dir / "dir" / "out"
    code = run(["report", "--month", "2025-08", "--allow-empty", "--format", "json",
                "--db", db, "--out", str(out)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.out == ""  # rich's progress bar ended with an empty line here
    assert captured.err.count("\n") == 1
    assert str(out) in captured.err


def test_a_schema_out_that_cannot_be_made_is_one_line(
    not_a_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = not_a_dir / "dir" / "s.json"
    code = run(["docs", "schema", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert str(not_a_dir / "dir") in captured.err


def test_an_export_whose_checkpoints_cannot_be_made_leaves_no_partial_file(
    not_a_dir: Path, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    checkpoints = not_a_dir / "ck"
    code = run(["store", "export", str(out), "--from", f"sqlite:{db}",
                "--checkpoints", str(checkpoints)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert str(checkpoints) in captured.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == []


def test_an_infra_out_that_cannot_be_made_names_the_path_given(
    not_a_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = not_a_dir / "dir"
    err = refused(capsys, ["infra", "cost", "--out", str(out)])
    assert str(out) in err
    assert "cdk.out." not in err  # the scratch directory beside it is not the user's path
