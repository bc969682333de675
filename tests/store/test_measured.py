"""The seam's wrapper: every call timed the same way, only StoreErrors leave it."""

from __future__ import annotations

import inspect
import os
import sqlite3
from pathlib import Path

import pytest

from portfolio.errors import NotFoundError, StoreError, StoreUnavailableError
from portfolio.store.measured import MeasuredStore, measured
from portfolio.store.protocols import MetricsRepository, OpsLog, Store, UserRepository
from portfolio.store.records import LogCount, NewUser
from portfolio.store.sqlite import SQLiteStore


@pytest.fixture
def sqlite(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "s.db")


def protocol_methods() -> set[str]:
    names: set[str] = set()
    for protocol in (UserRepository, MetricsRepository, OpsLog, Store):
        names |= {
            n for n, v in vars(protocol).items() if inspect.isfunction(v) and not n.startswith("_")
        }
    return names


def test_every_method_of_the_store_protocol_goes_through_the_wrapper() -> None:
    wrapped = {n for n, v in vars(MeasuredStore).items() if inspect.isfunction(v)}
    assert protocol_methods() - wrapped == set()


def test_wrapping_twice_is_wrapping_once(sqlite: SQLiteStore) -> None:
    once = measured(sqlite)
    assert measured(once) is once


def test_every_call_is_timed_whatever_the_backend_timed_itself(sqlite: SQLiteStore) -> None:
    store = measured(sqlite)
    store.create_user(NewUser(name="A", email="a@example.com"))  # SQLite timed this itself
    store.write_log_counts([LogCount(60, "t", "INFO", 1)])  # and never timed this
    store.read_log_counts(0, 120)
    stats = {s.operation: s.count for s in store.call_stats.drain("t")}
    assert stats == {"create_user": 1, "write_log_counts": 1, "read_log_counts": 1}


def test_an_answer_is_not_an_error_of_the_store(sqlite: SQLiteStore) -> None:
    store = measured(sqlite)
    with pytest.raises(NotFoundError):
        store.get_user("01ARZ3NDEKTSV4RRFFQ69G5FAV")
    (stat,) = store.call_stats.drain("t")
    assert (stat.count, stat.errors) == (1, 0)


def test_sqlite_and_os_errors_leave_as_store_errors(
    sqlite: SQLiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = measured(sqlite)

    def disk_full(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(sqlite, "write_log_counts", disk_full)
    with pytest.raises(StoreUnavailableError, match=r"write_log_counts failed.*disk is full"):
        store.write_log_counts([LogCount(60, "t", "INFO", 1)])

    def corrupt(*_: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(sqlite, "read_log_counts", corrupt)
    with pytest.raises(StoreError) as caught:
        store.read_log_counts(0, 60)
    assert not isinstance(caught.value, StoreUnavailableError)

    def no_space(*_: object) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(sqlite, "write_resource_samples", no_space)
    with pytest.raises(StoreUnavailableError, match="No space left"):
        store.write_resource_samples([])
    errors = {s.operation: s.errors for s in store.call_stats.drain("t")}
    assert errors == {"write_log_counts": 1, "read_log_counts": 1, "write_resource_samples": 1}


def test_a_bug_is_not_disguised_as_a_store_error(
    sqlite: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*_: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(sqlite, "read_log_counts", bug)
    with pytest.raises(ValueError, match="a bug"):
        measured(sqlite).read_log_counts(0, 60)


def test_what_only_one_backend_has_reads_through(sqlite: SQLiteStore) -> None:
    """The restore test asks the store for its SQLite file."""
    assert getattr(measured(sqlite), "path", None) == sqlite.path
