"""Settings are validated at start with clear errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from portfolio.config import Environment, Settings, match_api_key


def test_keys_parse_with_read_only_marker() -> None:
    settings = Settings(api_keys="alpha-key-0123456789, beta-key-0123456789:ro")  # type: ignore[arg-type]
    keys = settings.parsed_api_keys()
    assert [(k.secret, k.read_only) for k in keys] == [
        ("alpha-key-0123456789", False),
        ("beta-key-0123456789", True),
    ]
    assert match_api_key(keys, "beta-key-0123456789") == keys[1]
    assert match_api_key(keys, "gamma") is None


@pytest.mark.parametrize("keys", [[], ["change-me"], ["short"]])
def test_placeholder_or_missing_keys_are_refused_outside_local(keys: list[str]) -> None:
    with pytest.raises(ValidationError, match="PORTFOLIO_API_KEYS"):
        Settings(env=Environment.PRODUCTION, api_keys=keys)


def test_local_allows_no_keys() -> None:
    assert Settings(env=Environment.LOCAL).parsed_api_keys() == []


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(report={"timezone": "Mars/Olympus"})  # type: ignore[arg-type]


def test_environment_variables_reach_nested_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTFOLIO_KPI__BUDGET_USD", "12.5")
    monkeypatch.setenv("PORTFOLIO_API_KEYS", "a-key-that-is-long-enough")
    settings = Settings()
    assert settings.kpi.budget_usd == 12.5
    assert settings.parsed_api_keys()[0].secret == "a-key-that-is-long-enough"


@pytest.mark.parametrize(
    "entry", ["k-0123456789abcdef:readonly", "secret-0123456789:part", "x:y:ro", ":ro", "key:"]
)
def test_unknown_key_suffixes_are_refused(entry: str) -> None:
    with pytest.raises(ValidationError, match="PORTFOLIO_API_KEYS"):
        Settings(api_keys=entry)  # type: ignore[arg-type]


def test_rw_and_ro_suffixes_and_key_ids() -> None:
    keys = Settings(api_keys="alpha-key-0123456789:rw, beta-key-0123456789:RO").parsed_api_keys()  # type: ignore[arg-type]
    assert [(k.secret, k.read_only) for k in keys] == [
        ("alpha-key-0123456789", False),
        ("beta-key-0123456789", True),
    ]
    assert len({k.key_id for k in keys}) == 2
    assert all("key" not in k.key_id for k in keys)


def test_lists_and_groups_come_as_json_and_keywords_stay_on_top(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTFOLIO_API__CORS_ORIGINS", '["https://a.example", "https://b.example"]')
    monkeypatch.setenv("PORTFOLIO_STORE", '{"BACKEND": "dynamodb", "region": "us-east-1"}')
    monkeypatch.setenv("portfolio_store__region", "eu-west-1")  # any case; over the JSON
    settings = Settings(store={"sqlite_path": "given.db"})  # type: ignore[arg-type]
    assert settings.api.cors_origins == ["https://a.example", "https://b.example"]
    assert (settings.store.backend, settings.store.region) == ("dynamodb", "eu-west-1")
    assert str(settings.store.sqlite_path) == "given.db"  # the keyword, merged in the group
    assert Settings(store={"region": "ap-south-1"}).store.region == "ap-south-1"  # type: ignore[arg-type]


def test_a_list_that_is_not_json_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTFOLIO_API__CORS_ORIGINS", "https://a.example")
    with pytest.raises(ValidationError, match="PORTFOLIO_API__CORS_ORIGINS must be JSON"):
        Settings()


def test_variables_that_name_no_setting_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTFOLIO_CHROMIUM", "/usr/bin/chromium")  # read where it is used
    monkeypatch.setenv("PORTFOLIO_OPS_TOPIC_ARN", "arn:aws:sns:ap-northeast-1:1:t")
    assert Settings().store.backend == "sqlite"
