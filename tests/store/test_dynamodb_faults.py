"""DynamoDB faults: the endpoint goes away and comes back; throttling; items too large.

The outage test runs its own DynamoDB Local keeping data on disk (``-dbPath``):
an in-memory one would lose everything on restart, and the point is that the
writes the API acknowledged are still there afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.stub import Stubber
from fastapi.testclient import TestClient

from portfolio.api.app import create_app
from portfolio.config import Settings, StoreSettings
from portfolio.errors import ItemTooLargeError, StoreError, StoreUnavailableError
from portfolio.store import keys
from portfolio.store.dynamodb import DynamoDBStore, RetryPolicy, item_size, make_client
from portfolio.store.measured import MeasuredStore, measured
from portfolio.store.records import LogCount, NewUser, ResourceSample
from tests.conftest import auth, make_settings
from tests.dynamodb_local import DynamoDBLocal, dynamodb_store

pytestmark = pytest.mark.slow


def wait_for(check: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout_s} s")
        time.sleep(0.2)


def test_outage_answers_503_then_recovers_with_acknowledged_writes_kept(
    tmp_path: Path, dynamodb_local_factory: list[DynamoDBLocal]
) -> None:
    server = DynamoDBLocal(tmp_path / "server.log", db_path=tmp_path / "data")
    (tmp_path / "data").mkdir()
    dynamodb_local_factory.append(server)
    server.start()
    settings = make_settings(
        tmp_path, store=StoreSettings(backend="dynamodb", dynamodb_endpoint_url=server.endpoint)
    )
    store = DynamoDBStore.from_settings(settings)
    store.create_tables()
    app = create_app(settings, store=store, configure_logs=False)
    with TestClient(app) as client:
        created = []
        for n in range(5):
            response = client.post(
                "/api/v1/users",
                json={"name": f"Kept {n}", "email": f"kept{n}@example.com"},
                headers=auth(),
            )
            assert response.status_code == 201
            created.append(response.json()["id"])
        assert client.get("/health").status_code == 200

        server.stop(kill=True)  # a crash: no chance to flush anything

        response = client.get(f"/api/v1/users/{created[0]}")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        problem = response.json()
        assert problem["status"] == 503
        assert "cannot be reached" in problem["detail"]
        assert "127.0.0.1" not in response.text  # the endpoint stays in the log (issue 27)
        write = client.post(
            "/api/v1/users", json={"name": "Lost", "email": "lost@example.com"}, headers=auth()
        )
        assert write.status_code == 503
        wait_for(lambda: client.get("/health").status_code == 503)
        health = client.get("/health").json()
        assert health["ready"] is False
        assert health["reason"] == "store-unreachable"
        keyed = client.get("/health", headers=auth()).json()
        assert "cannot be reached" in keyed["store"]["detail"]

        server.start()  # same port, same data directory

        wait_for(lambda: client.get("/health").status_code == 200)
        assert client.get("/health").json()["ready"] is True
        listed = client.get("/api/v1/users", params={"limit": 100}, headers=auth()).json()
        assert sorted(u["id"] for u in listed["items"]) == sorted(created)
        again = client.post(
            "/api/v1/users", json={"name": "After", "email": "after@example.com"}, headers=auth()
        )
        assert again.status_code == 201
    store.close()


# -- throttling, with botocore's Stubber (no endpoint needed) -----------------------


@pytest.fixture
def stubbed() -> Iterator[tuple[MeasuredStore, Stubber, list[float]]]:
    sleeps: list[float] = []
    client = make_client("http://127.0.0.1:9", "us-east-1")
    store = DynamoDBStore(
        client, retry=RetryPolicy(max_attempts=4, base_s=0.1, cap_s=0.3, sleep=sleeps.append)
    )
    with Stubber(client) as stubber:
        yield MeasuredStore(store), stubber, sleeps
        stubber.assert_no_pending_responses()


def throttle(stubber: Stubber, operation: str) -> None:
    stubber.add_client_error(
        operation,
        service_error_code="ProvisionedThroughputExceededException",
        service_message="Rate of requests exceeds the allowed throughput",
        http_status_code=400,
    )


def test_a_throttled_write_is_retried_with_jittered_backoff_and_counted(
    stubbed: tuple[MeasuredStore, Stubber, list[float]],
) -> None:
    store, stubber, sleeps = stubbed
    throttle(stubber, "transact_write_items")
    throttle(stubber, "transact_write_items")
    stubber.add_response(
        "transact_write_items",
        {"ConsumedCapacity": [{"TableName": keys.USERS.name, "CapacityUnits": 4.0}]},
    )
    user = store.create_user(NewUser(name="Ada", email="ada@example.com"))
    assert user.version == 1
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.1
    assert 0 <= sleeps[1] <= 0.2
    (stat,) = store.call_stats.drain("task-a")
    assert (stat.operation, stat.count, stat.errors, stat.throttles) == ("create_user", 1, 0, 2)
    assert stat.capacity_units == 4.0


def test_throttling_past_the_last_attempt_is_a_clear_store_error(
    stubbed: tuple[MeasuredStore, Stubber, list[float]],
) -> None:
    store, stubber, sleeps = stubbed
    for _ in range(4):
        throttle(stubber, "put_item")
    with pytest.raises(StoreError) as caught:
        store.write_log_counts([LogCount(60, "task-a", "INFO", 1)])
    message = str(caught.value)
    assert "throttled 4 times" in message
    assert "ProvisionedThroughputExceededException" in message
    assert "not carried out" in message
    assert not isinstance(caught.value, StoreUnavailableError)
    assert len(sleeps) == 3
    (stat,) = store.call_stats.drain("task-a")
    assert (stat.errors, stat.throttles) == (1, 4)


def test_unprocessed_batch_items_are_sent_again_until_stored(
    stubbed: tuple[MeasuredStore, Stubber, list[float]],
) -> None:
    store, stubber, sleeps = stubbed
    dynamo = store.inner
    assert isinstance(dynamo, DynamoDBStore)
    samples = [ResourceSample(60 * n, "task-a", 1.0, 10, 2.0) for n in range(3)]
    left = {
        "PutRequest": {
            "Item": {
                "pk": {"S": keys.RESOURCE_SAMPLES.partition(120)},
                "sk": {"S": f'{keys.time_sort_key(120)}#["task-a"]'},
                "minute": {"N": "120"},
                "task": {"S": "task-a"},
                "cpu_pct": {"N": "1.0"},
                "mem_bytes": {"N": "10"},
                "mem_pct": {"N": "2.0"},
                "expires_at": {"N": str(120 + dynamo.retention_s)},
            }
        }
    }
    stubber.add_response("batch_write_item", {"UnprocessedItems": {dynamo.metrics_table: [left]}})
    stubber.add_response(
        "batch_write_item",
        {"UnprocessedItems": {}},
        expected_params={
            "RequestItems": {dynamo.metrics_table: [left]},
            "ReturnConsumedCapacity": "TOTAL",
        },
    )
    stubber.add_response("put_item", {})  # the hour's pack (packed.py), new
    store.write_resource_samples(samples)
    assert len(sleeps) == 1
    (stat,) = store.call_stats.drain("task-a")
    assert stat.throttles == 1


def test_unprocessed_items_past_the_last_attempt_are_an_error(
    stubbed: tuple[MeasuredStore, Stubber, list[float]],
) -> None:
    store, stubber, _ = stubbed
    dynamo = store.inner
    assert isinstance(dynamo, DynamoDBStore)
    left = {"PutRequest": {"Item": {"pk": {"S": "x"}, "sk": {"S": "y"}}}}
    for _ in range(4):
        stubber.add_response(
            "batch_write_item", {"UnprocessedItems": {dynamo.metrics_table: [left]}}
        )
    with pytest.raises(StoreError, match="1 item\\(s\\) unprocessed after 4 attempts"):
        store.write_resource_samples([ResourceSample(60, "task-a", 1.0, 10, 2.0)])


def test_an_unknown_client_error_becomes_a_store_error_with_its_code(
    stubbed: tuple[MeasuredStore, Stubber, list[float]],
) -> None:
    """Not retried, not raw: the seam makes it a StoreError that names the code."""
    from botocore.exceptions import ClientError

    store, stubber, sleeps = stubbed
    stubber.add_client_error(
        "get_item", service_error_code="AccessDeniedException", http_status_code=400
    )
    with pytest.raises(StoreError, match="AccessDeniedException") as caught:
        store.get_user("01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert not isinstance(caught.value, StoreUnavailableError)
    assert isinstance(caught.value.__cause__, ClientError)
    assert sleeps == []
    (stat,) = store.call_stats.drain("task-a")
    assert (stat.operation, stat.errors) == ("get_user", 1)


def test_an_unknown_server_side_error_makes_the_store_unavailable(
    stubbed: tuple[MeasuredStore, Stubber, list[float]],
) -> None:
    store, stubber, _ = stubbed
    stubber.add_client_error(
        "put_item", service_error_code="SomethingNewFailed", http_status_code=503
    )
    with pytest.raises(StoreUnavailableError, match="SomethingNewFailed"):
        store.write_log_counts([LogCount(60, "task-a", "INFO", 1)])


# -- item size, on DynamoDB Local -----------------------------------------------------


@pytest.fixture
def dynamo(tmp_path: Path) -> Iterator[DynamoDBStore]:
    for store in dynamodb_store(tmp_path):
        assert isinstance(store, DynamoDBStore)
        yield store


def test_a_user_over_400_kb_is_refused_with_a_clear_error(dynamo: DynamoDBStore) -> None:
    with pytest.raises(ItemTooLargeError, match="at most 409,600 bytes"):
        dynamo.create_user(NewUser(name="Big", email="big@example.com", bio="x" * 410_000))
    assert dynamo.list_users(limit=5).items == []
    user = dynamo.create_user(NewUser(name="Small", email="small@example.com"))
    with pytest.raises(ItemTooLargeError):
        dynamo.update_user(user.id, {"bio": "é" * 210_000}, expected_version=1)
    with pytest.raises(ItemTooLargeError):
        dynamo.update_user(
            user.id, {"bio": "x" * 410_000, "email": "s2@example.com"}, expected_version=1
        )
    # Two halves that each fit but not together: only the stored item tells.
    half = dynamo.update_user(user.id, {"bio": "b" * 250_000}, expected_version=1)
    with pytest.raises(ItemTooLargeError):
        dynamo.update_user(user.id, {"title": "t" * 200_000}, expected_version=half.version)
    assert dynamo.get_user(user.id).version == half.version


def test_a_user_just_under_the_limit_is_stored(dynamo: DynamoDBStore) -> None:
    """Our size estimate is not so cautious that DynamoDB would take what we refuse."""
    probe = dynamo.create_user(NewUser(name="P", email="p@example.com"))
    response = dynamo._client.get_item(
        TableName=dynamo.users_table, Key=keys.user_key(probe.id), ConsistentRead=True
    )
    rest = item_size(response["Item"])  # the item with an empty bio
    bio = "y" * (400 * 1024 - rest - 16)
    stored = dynamo.create_user(NewUser(name="Q", email="q@example.com", bio=bio))
    assert dynamo.get_user(stored.id).bio == bio


def test_reads_and_writes_record_consumed_capacity(dynamo: DynamoDBStore) -> None:
    store = measured(dynamo)
    store.call_stats.drain("t")
    user = store.create_user(NewUser(name="C", email="c@example.com"))
    store.get_user(user.id)
    stats = {s.operation: s for s in store.call_stats.drain("t")}
    assert stats["create_user"].capacity_units >= 2.0  # a transaction of two items
    assert stats["get_user"].capacity_units > 0


def test_telemetry_items_expire_after_the_retention(dynamo: DynamoDBStore) -> None:
    minute = (int(time.time()) // 60) * 60
    dynamo.write_log_counts([LogCount(minute, "task-a", "INFO", 1)])
    response = dynamo._client.query(
        TableName=dynamo.metrics_table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.LOG_COUNTS.partition(minute)}},
    )
    (item,) = response["Items"]
    assert int(item["expires_at"]["N"]) == minute + 400 * 86_400


def test_a_missing_table_makes_the_store_unavailable_with_the_fix(
    dynamo: DynamoDBStore,
) -> None:
    dynamo.ping()
    dynamo.delete_tables()
    with pytest.raises(StoreUnavailableError, match="portfolio store init"):
        dynamo.ping()
    dynamo.create_tables()  # for the fixture's clean-up


def test_settings_open_the_dynamodb_store(tmp_path: Path) -> None:
    from portfolio.store import open_store

    settings = Settings(
        store=StoreSettings(backend="dynamodb", dynamodb_endpoint_url="http://127.0.0.1:9"),
    )
    store = open_store(settings)
    assert isinstance(store, MeasuredStore)  # behind the seam's wrapper
    assert isinstance(store.inner, DynamoDBStore)
    assert (store.inner.users_table, store.inner.metrics_table) == (
        "portfolio-users",
        "portfolio-metrics",
    )
    with pytest.raises(StoreUnavailableError, match="cannot be reached"):
        store.ping()
    store.close()
