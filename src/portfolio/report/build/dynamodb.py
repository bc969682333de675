"""サービス別運用状況 3. DynamoDB: tables, backups, encryption, the store's calls."""

from __future__ import annotations

from portfolio import names
from portfolio.report.build.common import latest_run, rounded
from portfolio.report.model import DataStoreSection
from portfolio.sources.base import Observations
from portfolio.store.records import CheckRun, FindingStatus, StoreCallStat

READ_PREFIXES = ("get", "list", "read", "query", "scan", "ping")


def build_data_store(obs: Observations) -> DataStoreSection:
    """3. DynamoDB: the tables, their backups and encryption, the store's calls."""
    reads = [s for s in obs.store_stats if s.operation.startswith(READ_PREFIXES)]
    writes = [s for s in obs.store_stats if not s.operation.startswith(READ_PREFIXES)]

    def mean_latency(stats: list[StoreCallStat]) -> float | None:
        calls = sum(s.count for s in stats)
        total_ms = sum(s.latency_sum_ms for s in stats)
        return rounded(total_ms / calls, 3) if calls else None

    ds = obs.data_store
    latest_monthly = latest_run(obs.check_runs, "monthly")
    seconds = 3600 * obs.period.hours

    def capacity_percent(stats: list[StoreCallStat], limit: float | None) -> float | None:
        if not stats or not limit:
            return None
        return rounded(100 * sum(s.capacity_units for s in stats) / seconds / limit, 3)

    return DataStoreSection(
        read_capacity_percent=capacity_percent(reads, ds.max_read_units_per_s if ds else None),
        write_capacity_percent=capacity_percent(writes, ds.max_write_units_per_s if ds else None),
        max_read_units_per_s=ds.max_read_units_per_s if ds else None,
        max_write_units_per_s=ds.max_write_units_per_s if ds else None,
        backup_enabled=_backup_enabled(latest_monthly, ds.point_in_time_recovery if ds else None),
        encryption_type=(ds.encryption if ds else None) or _tables_kms(latest_monthly),
        backend=ds.backend if ds else None,
        tables=ds.tables if ds else [names.USERS_TABLE, names.METRICS_TABLE],
        status=ds.status if ds else None,
        read_latency_ms=mean_latency(list(reads)),
        write_latency_ms=mean_latency(list(writes)),
        calls=sum(s.count for s in obs.store_stats) if obs.store_stats else None,
        errors=sum(s.errors for s in obs.store_stats) if obs.store_stats else None,
        throttles=sum(s.throttles for s in obs.store_stats) if obs.store_stats else None,
        consumed_capacity_units=rounded(sum(s.capacity_units for s in obs.store_stats))
        if obs.store_stats
        else None,
        backup=_finding_text(latest_monthly, ("backup", "pitr"))
        or (_flag(ds.point_in_time_recovery, "PITR enabled", "PITR disabled") if ds else None),
        encryption=_finding_text(latest_monthly, ("encrypt",)) or (ds.encryption if ds else None),
    )


def _backup_enabled(run: CheckRun | None, pitr: bool | None) -> bool | None:
    """PITR on, from the monthly check when it ran (it sees the real table), else the source."""
    if run is not None:
        found = [f for f in run.findings if f.check_id == "backup_pitr_enabled"]
        if found:
            return all(f.status is FindingStatus.PASS for f in found)
    return pitr


def _tables_kms(run: CheckRun | None) -> str | None:
    """KMS when the monthly check saw every table encrypted with KMS; None when it did not run."""
    if run is None:
        return None
    found = [f for f in run.findings if f.check_id == "encrypt_tables"]
    return "KMS" if found and all(f.status is FindingStatus.PASS for f in found) else None


def _flag(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def _finding_text(run: CheckRun | None, words: tuple[str, ...]) -> str | None:
    """'PASS: …' / 'FAIL: …' from the latest run's findings about these words."""
    if run is None:
        return None
    found = [f for f in run.findings if any(w in f.check_id.lower() for w in words)]
    if not found:
        return None
    worst = max(found, key=lambda f: list(FindingStatus).index(f.status))
    return f"{worst.status.value}: {worst.detail}"
