"""The report delivered: the job's SNS message carries the headline and presigned links
that work, and the lifetime it states is the signing credentials' when they end first.

On moto's server (S3, SNS) and DynamoDB Local, as tests/sources/test_aws_ops.py runs the
jobs. The credentials' expiry is botocore's own: a `credential_process` in an AWS config
file returns temporary credentials with an ``Expiration``, as a role's session does.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from portfolio.cli.main import run
from portfolio.cloud import Aws
from portfolio.config import Settings
from portfolio.report import kpis
from portfolio.report.render.text import t
from portfolio.scheduled.deliver import PRESIGN_SECONDS, Delivery
from portfolio.scheduled.headline import HEADLINE_KPIS
from tests.sources.moto_aws import Moto, Seeded
from tests.sources.ops_targets import make_ops_targets

URL = re.compile(r"https?://\S+")


@pytest.fixture
def ops_env(
    moto: Moto, seeded: Seeded, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    targets = make_ops_targets(moto)
    for key, value in targets.environment(dynamodb_endpoint).items():
        monkeypatch.setenv(key, value)
    yield targets
    targets.store.delete_tables()


def test_report_message_has_the_kpis_and_a_link_requests_can_fetch(
    moto: Moto, ops_env: Any
) -> None:
    code = run(["ops", "run", "report", "--month", "2025-08", "--endpoint-url", moto.endpoint])
    assert code == 0
    [message] = ops_env.messages()
    text = message["Message"]
    body = json.loads(
        ops_env.s3.get_object(Bucket=ops_env.bucket, Key="reports/2025-08/report.json")[
            "Body"
        ].read()
    )
    for kpi in body["kpis"]:
        if kpi["id"] in HEADLINE_KPIS:
            for lang in ("ja", "en"):
                name = t(lang, f"k.{kpi['id']}")  # type: ignore[arg-type]
                assert f"{name}: {kpis.plain(kpi['id'], kpi['actual'])} (" in text, (lang, name)
    assert "前月からの変化" in text or "前月からの変化: 前月のデータなし" in text
    assert "Changes since" in text or "no previous month" in text
    assert "インシデント:" in text
    assert "Incidents:" in text
    links = [u for u in URL.findall(text) if "operations-report.ja.html" in u]
    assert links, text
    query = parse_qs(urlparse(links[0]).query)
    assert query["X-Amz-Expires"] == [str(PRESIGN_SECONDS)]
    fetched = requests.get(links[0], timeout=10)
    assert fetched.status_code == 200
    stored = ops_env.s3.get_object(
        Bucket=ops_env.bucket, Key="reports/2025-08/operations-report.ja.html"
    )["Body"].read()
    assert fetched.content == stored
    assert re.search(r"valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC", text)
    assert "reports/index.html" in ops_env.keys("reports/")


def test_the_next_month_reads_last_months_json_from_the_bucket(moto: Moto, ops_env: Any) -> None:
    assert run(["ops", "run", "report", "--month", "2025-08", "--endpoint-url", moto.endpoint]) == 0
    ops_env.messages()
    assert run(["ops", "run", "report", "--month", "2025-09", "--endpoint-url", moto.endpoint]) == 0
    september = json.loads(
        ops_env.s3.get_object(Bucket=ops_env.bucket, Key="reports/2025-09/report.json")[
            "Body"
        ].read()
    )
    assert september["changes"]["source"] == "report.json"
    assert september["changes"]["previous_month"] == "2025-08"
    index = ops_env.s3.get_object(Bucket=ops_env.bucket, Key="reports/index.html")["Body"].read()
    assert b'data-month="2025-08"' in index
    assert b'data-month="2025-09"' in index


def _credential_process(tmp_path: Path, expires: datetime) -> Path:
    """An AWS config whose credential_process returns a session ending at ``expires``."""
    script = tmp_path / "creds.py"
    script.write_text(
        "import json\n"
        f"print(json.dumps({{'Version': 1, 'AccessKeyId': 'ASIATESTING',"
        f" 'SecretAccessKey': 'testing', 'SessionToken': 'testing',"
        f" 'Expiration': '{expires:%Y-%m-%dT%H:%M:%SZ}'}}))\n",
        encoding="utf-8",
    )
    config = tmp_path / "config"
    config.write_text(
        f"[default]\nregion = us-east-1\ncredential_process = {sys.executable} {script}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def no_env_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    return monkeypatch


def test_the_stated_lifetime_is_the_role_sessions_end_when_sooner(
    tmp_path: Path, no_env_keys: pytest.MonkeyPatch
) -> None:
    ends = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    no_env_keys.setenv("AWS_CONFIG_FILE", str(_credential_process(tmp_path, ends)))
    link = Delivery(Aws(Settings()), bucket="b").presign("reports/x.html", "HTML")
    assert link is not None
    assert link.limited_by_credentials
    assert link.valid_until == ends
    assert parse_qs(urlparse(link.url).query)["X-Amz-Expires"] == [str(PRESIGN_SECONDS)]


def test_the_stated_lifetime_is_seven_days_when_the_credentials_outlive_it(
    tmp_path: Path, no_env_keys: pytest.MonkeyPatch
) -> None:
    no_env_keys.setenv(
        "AWS_CONFIG_FILE",
        str(_credential_process(tmp_path, datetime.now(UTC) + timedelta(days=30))),
    )
    before = datetime.now(UTC)
    link = Delivery(Aws(Settings()), bucket="b").presign("reports/x.html", "HTML")
    assert link is not None
    assert not link.limited_by_credentials
    seven = timedelta(seconds=PRESIGN_SECONDS)
    assert before + seven <= link.valid_until <= datetime.now(UTC) + seven


def test_long_lived_keys_state_seven_days(no_env_keys: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_env_keys.setenv("AWS_ACCESS_KEY_ID", "AKIATESTING")
    no_env_keys.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    no_env_keys.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    link = Delivery(Aws(Settings()), bucket="b").presign("reports/x.html", "HTML")
    assert link is not None
    assert not link.limited_by_credentials
