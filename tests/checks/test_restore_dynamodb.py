"""What the live-table restore test counts: settled items, by the time in their keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portfolio.checks.restore_dynamodb import item_time, settled
from portfolio.store import keys
from tests.sources.moto_aws import ulid_at

NOW = datetime(2025, 8, 20, 12, tzinfo=UTC)
CUTOFF = NOW - timedelta(hours=2)


def _metric(at: datetime, expires: datetime | None = None) -> dict[str, dict[str, str]]:
    item = {
        "pk": {"S": "R#x"},
        "sk": {"S": keys.time_sort_key(int(at.timestamp())) + "#/health#200#t1"},
    }
    if expires is not None:
        item["expires_at"] = {"N": str(int(expires.timestamp()))}
    return item


def test_item_time_reads_time_sort_keys_and_user_ulids() -> None:
    at = datetime(2025, 8, 1, 3, 4, 5, tzinfo=UTC)
    assert item_time(_metric(at)) == at
    micros = {"pk": {"S": "P"}, "sk": {"S": keys.time_sort_key(int(at.timestamp() * 1e6))}}
    assert item_time(micros) == at
    user = {"pk": {"S": f"USER#{ulid_at(at, 1)}"}, "sk": {"S": "PROFILE"}}
    assert item_time(user) == at
    assert item_time({"pk": {"S": "EMAIL#a@b"}, "sk": {"S": "EMAIL"}}) is None


def test_only_settled_unexpiring_items_are_compared() -> None:
    keep = settled(CUTOFF, NOW, "expires_at")
    old = CUTOFF - timedelta(minutes=1)
    assert keep(_metric(old))
    assert keep(_metric(old, expires=NOW + timedelta(days=30)))
    assert not keep(_metric(CUTOFF + timedelta(minutes=1)))  # written after the point
    assert not keep(_metric(old, expires=NOW - timedelta(days=1)))  # TTL may remove it any time
    assert not keep({"pk": {"S": "EMAIL#a@b"}, "sk": {"S": "EMAIL"}})
