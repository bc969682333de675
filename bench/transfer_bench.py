"""The demo month moved between stores, and its report read from DynamoDB Local.

Issue 28: for the demo month (the store `portfolio demo` makes, shared with
bench/report_bench.py), this measures

- export throughput: every record of the month, SQLite to a JSON Lines file;
- copy throughput: the same records, SQLite to DynamoDB Local (batches of 25, four in
  flight; DynamoDB Local declares no write ceiling, so none is applied), including the
  kept sums: each page's hours read back and their packs written (store-records.md);
- the report built from each store through the local source (the path `portfolio report`
  takes with `PORTFOLIO_STORE__BACKEND=dynamodb`): wall time, the read units DynamoDB
  reported consuming (consistent reads, as the store makes them), priced with the
  estimator's price table (costs/prices.toml), and whether the two reports' figures are
  equal (report.json, less what names the backend). Goal: DynamoDB ≤ 5× SQLite's time.
  The DynamoDB store reads the month's packs (its kept sums), not every minute's items.

The export and the copy go through the same loop as `portfolio store export/copy`
(store/transfer/pipeline.py), in process, so their times are the loop's and not an
interpreter's start-up. The report reads the month and the hourly rollups of the month
before (前月比); those hourly rollups are put into DynamoDB Local beside the copy.
DynamoDB Local is a Java emulator on the same 2 shared cores: its times are an upper
bound for the read path, not AWS's network latency.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report_bench import MONTH, demo_store  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_TRANSFER_ROUNDS", "3"))
GOAL_RATIO = 5.0
NOW = datetime(2025, 9, 2, 9, 0, tzinfo=UTC)
BACKEND_NAMES = {"local sqlite store", "local dynamodb store", "sqlite", "dynamodb"}
LABELS = {".document.platform", ".services.data_store.status"}
"""Where the report names its platform ("aws" on DynamoDB) and DynamoDB's table status
(ACTIVE; a SQLite store has none): labels of the backend, not figures, as in
tests/store/test_transfer_report.py."""


def _figures(report_json: str) -> dict[str, Any]:
    """report.json by leaf path, less the labels that name the backend or the platform."""

    def flat(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from flat(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from flat(item, f"{path}[{i}]")
        elif value not in BACKEND_NAMES and path not in LABELS:
            yield path, value

    return dict(flat(json.loads(report_json)))


def _timed_report(store: Any, period: Any) -> tuple[float, str]:
    from portfolio.config import Settings
    from portfolio.report.build import build_report
    from portfolio.report.render.jsonout import render_json
    from portfolio.sources.local import LocalSource

    started = time.perf_counter()
    report = build_report(LocalSource(store), period, Settings(), now=NOW)
    return time.perf_counter() - started, render_json(report)


def _read_units(store: Any) -> float:
    """Capacity units the store's calls consumed since the last drain (then drained)."""
    return sum(s.capacity_units for s in store.call_stats.drain("bench"))


def _reads(period: Any) -> dict[str, Callable[[Any], object]]:
    """The store reads the local source makes for a month's report, one by one."""
    from portfolio.store.records import PROBE_SITE

    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    before = period.previous()
    return {
        "hourly rollups": lambda s: list(s.read_rollups(start, end, resolution="hour")),
        "minute totals": lambda s: s.read_minute_totals(start, end),
        "resource summary": lambda s: s.read_resource_summary(start, end),
        "API probes": lambda s: list(s.read_probe_results(period.start, period.end)),
        "site probe counts": lambda s: s.read_probe_counts(
            period.start, period.end, target=PROBE_SITE
        ),
        "store statistics": lambda s: list(s.read_store_stats(start, end)),
        "previous month's hours": lambda s: list(
            s.read_rollups(
                int(before.start.timestamp()), int(before.end.timestamp()), resolution="hour"
            )
        ),
    }


def _breakdown(
    sqlite: Any, dynamo: Any, period: Any, emit: Callable[[str], None]
) -> dict[str, Any]:
    """Each read timed on both stores, with DynamoDB's read units: where the time goes."""
    rows: dict[str, Any] = {}
    for name, read in _reads(period).items():
        timed = {}
        for label, store in (("sqlite", sqlite), ("dynamodb", dynamo)):
            started = time.perf_counter()
            read(store)
            timed[label] = time.perf_counter() - started
        units = _read_units(dynamo)
        _read_units(sqlite)
        rows[name] = {**timed, "read_units": units}
        emit(f"    {name:<24} sqlite {timed['sqlite']:6.2f} s  dynamodb {timed['dynamodb']:6.2f} s"
             f"  {units:>9,.0f} read units")  # fmt: skip
    return rows


def transfer_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    from bench.run import dynamodb_local
    from portfolio.costs import load_prices
    from portfolio.period import Period
    from portfolio.store.dynamodb import DynamoDBStore, make_client
    from portfolio.store.kinds import Kind, TimeRange
    from portfolio.store.measured import measured
    from portfolio.store.sqlite import SQLiteStore
    from portfolio.store.transfer import Checkpoint, FileSink, StoreSink, StoreSource, run

    period = Period.parse(MONTH, "Asia/Tokyo")
    month = TimeRange(int(period.start.timestamp()), int(period.end.timestamp()))
    before = period.previous()
    sqlite = measured(SQLiteStore(demo_store()))
    quiet: Callable[[int, int], None] = lambda done, total: None  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp, dynamodb_local() as endpoint:
        checkpoints, out = Path(tmp) / "checkpoints", Path(tmp) / "month.jsonl"
        exported = run(
            StoreSource(sqlite, month, "sqlite"), FileSink(out, "sqlite", month),
            Checkpoint(checkpoints, "sqlite", "file", month), quiet,
        )  # fmt: skip
        size_mb = out.stat().st_size / 1e6
        # The demo month is older than the default retention (400 days): kept here.
        dynamo = measured(DynamoDBStore(make_client(endpoint, "us-east-1"), retention_days=36_500))
        copied = run(
            StoreSource(sqlite, month, "sqlite"), StoreSink(dynamo, month, "dynamodb"),
            Checkpoint(checkpoints, "sqlite", "dynamodb", month), quiet,
        )  # fmt: skip
        previous_hours = sqlite.read_rollups(
            int(before.start.timestamp()), int(before.end.timestamp()), resolution="hour"
        )
        dynamo.put_records([(Kind.ROLLUP_HOUR, r) for r in previous_hours])
        _read_units(dynamo)
        _read_units(sqlite)
        times: dict[str, list[float]] = {"sqlite": [], "dynamodb": []}
        units: list[float] = []
        reports: dict[str, str] = {}
        for _ in range(ROUNDS):
            for name, store in (("sqlite", sqlite), ("dynamodb", dynamo)):
                seconds, reports[name] = _timed_report(store, period)
                times[name].append(seconds)
            units.append(_read_units(dynamo))
        emit("  the report's reads one by one:")
        breakdown = _breakdown(sqlite, dynamo, period, emit)
        dynamo.close()
    sqlite.close()
    sqlite_s, dynamo_s = statistics.median(times["sqlite"]), statistics.median(times["dynamodb"])
    read_units = statistics.median(units)
    usd = read_units * load_prices().usd("dynamodb_read_request_unit")
    same = _figures(reports["sqlite"]) == _figures(reports["dynamodb"])
    ratio = dynamo_s / sqlite_s
    emit(f"  export {exported.records:,} records of {MONTH} in {exported.seconds:.1f} s:"
         f" {exported.records / exported.seconds:,.0f} records/s ({size_mb:.0f} MB)")  # fmt: skip
    emit(f"  copy to DynamoDB Local {copied.records:,} records in {copied.seconds:.1f} s:"
         f" {copied.records / copied.seconds:,.0f} records/s, {copied.retries} retried writes,"
         f" {copied.capacity_units:,.0f} write units")  # fmt: skip
    emit(f"  report {MONTH} from SQLite        {sqlite_s:6.2f} s (median of {ROUNDS})")
    emit(f"  report {MONTH} from DynamoDB Local {dynamo_s:6.2f} s, {read_units:,.0f} read units"
         f" (${usd:.4f} at on-demand prices)")  # fmt: skip
    emit(f"  ratio DynamoDB / SQLite {ratio:.2f} (goal <= {GOAL_RATIO:g});"
         f" figures equal: {'yes' if same else 'NO'}")  # fmt: skip
    results["store_transfer"] = {
        "month": MONTH,
        "export_records": exported.records,
        "export_records_per_s": exported.records / exported.seconds,
        "export_mb": size_mb,
        "copy_records": copied.records,
        "copy_records_per_s": copied.records / copied.seconds,
        "copy_retries": copied.retries,
        "copy_write_units": copied.capacity_units,
        "report_sqlite_s": sqlite_s,
        "report_dynamodb_s": dynamo_s,
        "report_dynamodb_read_units": read_units,
        "report_dynamodb_read_usd": usd,
        "ratio_report_dynamodb_vs_sqlite": ratio,
        "figures_equal": same,
        "reads": breakdown,
        "goals": {"ratio_report_dynamodb_vs_sqlite": f"<= {GOAL_RATIO:g}"},
    }


def main(argv: list[str] | None = None) -> None:
    """Run this benchmark alone (`make bench` runs it with the others, via bench/run.py)."""
    parser = argparse.ArgumentParser(
        prog="bench/transfer_bench.py",
        description="The demo month exported, copied into DynamoDB Local, and its report"
        " read from there beside SQLite (makes the demo store under bench/data/ first).",
    )
    parser.parse_args(argv)
    out: dict[str, object] = {}
    transfer_benchmark(out, print)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
