"""Generate a month of raw request events and write it through the store, day by day.

Everything the report will show is computed later from what this writes: the
rollups (via ``rollups_from_events``, the recorder's vectorised twin), probe
results, resource samples, log counts, store call statistics, and the operations
log (one recorded incident, one maintenance window, users, work items). Raw
events are handed to ``on_events`` so tests can recompute figures independently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from portfolio import names
from portfolio.period import Period
from portfolio.security_rules import PERMISSION_USER_ROLE
from portfolio.simulate.model import IncidentPlan, TrafficModel
from portfolio.sources.local import SIMULATED_MARKER
from portfolio.store.ids import new_id
from portfolio.store.protocols import Store
from portfolio.store.records import (
    PROBE_API,
    PROBE_SITE,
    Incident,
    LogCount,
    MaintenanceWindow,
    NewUser,
    ProbeResult,
    ResourceSample,
    Role,
    StoreCallStat,
    WorkItem,
)
from portfolio.telemetry.bulk import rollups_from_events

PROBE_INTERVAL_S = 60
LB_ERROR_STATUS = 502
"""The load balancer's own answer when a target drops a reused connection: never logged
by the service, so not counted as an ERROR log line."""
STORE_CALL_SIGMA = 0.35


@dataclass(frozen=True)
class DayEvents:
    """One day's raw requests, as the load balancer would have seen them."""

    day: date
    epoch_s: npt.NDArray[np.float64]
    endpoint_index: npt.NDArray[np.int64]
    status: npt.NDArray[np.int64]
    task_index: npt.NDArray[np.int64]
    latency_ms: npt.NDArray[np.float64]
    bytes_in: npt.NDArray[np.int64]
    bytes_out: npt.NDArray[np.int64]


def hourly_weights(model: TrafficModel) -> npt.NDArray[np.float64]:
    weights = np.ones(24)
    weights[0:7] = model.night_weight
    for start, end in model.peak_windows:
        weights[start:end] = model.peak_weight
    normalised: npt.NDArray[np.float64] = weights / weights.sum()
    return normalised


def hour_latency_factors(model: TrafficModel) -> npt.NDArray[np.float64]:
    """How much slower (peak) or faster (night) each hour of day answers than the rest."""
    factors = np.ones(24)
    factors[model.night_hours[0] : model.night_hours[1]] = model.night_latency_factor
    for start, end in model.peak_windows:
        factors[start:end] = model.peak_latency_factor
    return factors


def unit_mean_latency(model: TrafficModel) -> float:
    """The expected mean response time of a day at scale 1: mix means × hour factors.

    A lognormal with median m and sigma s has mean m·exp(s²/2); hours weigh by traffic.
    """
    mix_mean = sum(e.share * e.median_ms * np.exp(e.sigma**2 / 2) for e in model.mix)
    hours = float(np.dot(hourly_weights(model), hour_latency_factors(model)))
    return float(mix_mean) * hours


def daily_volumes(model: TrafficModel, days: list[date], rng: np.random.Generator) -> list[float]:
    """Expected requests of each day: quieter weekends, day-to-day noise, pinned days kept.

    Without pinned days the month's mean day is ``daily_requests`` in expectation.
    With them, the other days are rescaled so the month's mean is exactly that and
    clipped to stay clear of the pinned quietest and busiest days.
    """
    mean_factor = (5 + 2 * model.weekend_factor) / 7
    volumes = []
    for day in days:
        weekend = day.weekday() >= 5
        noise = max(0.5, 1 + float(rng.normal(0, model.day_noise)))
        volumes.append(
            model.daily_requests * (model.weekend_factor if weekend else 1.0) / mean_factor * noise
        )
    pinned = {d: v for d, v in model.pinned_days if d <= len(days)}
    if not pinned:
        return volumes
    free = [i for i, day in enumerate(days) if day.day not in pinned]
    if not free:
        return [pinned[day.day] for day in days]
    low, high = min(pinned.values()) * 1.04, max(pinned.values()) * 0.96
    wanted = model.daily_requests * len(days) - sum(pinned.values())
    for _ in range(20):  # rescale and clip until the free days' sum settles
        scale = wanted / sum(volumes[i] for i in free)
        for i in free:
            volumes[i] = min(high, max(low, volumes[i] * scale))
    return [pinned.get(day.day, volumes[i]) for i, day in enumerate(days)]


def latency_scales(model: TrafficModel, days: list[date], rng: np.random.Generator) -> list[float]:
    """Per day, the factor that turns the mix's medians into milliseconds.

    With ``weekly_latency_ms`` a day's expected mean is its week's target times a
    small day factor (centred within the week, so the week keeps its target);
    without, medians are milliseconds already (scale 1).
    """
    if not model.weekly_latency_ms:
        return [1.0] * len(days)
    unit = unit_mean_latency(model)
    weeks = [(day.day - 1) // 7 for day in days]
    z = rng.normal(0, model.day_latency_spread, len(days)) if model.day_latency_spread else None
    scales = []
    for i, week in enumerate(weeks):
        target = model.weekly_latency_ms[min(week, len(model.weekly_latency_ms) - 1)]
        factor = 1.0
        if z is not None:
            same = [j for j, w in enumerate(weeks) if w == week]
            factor = float(np.exp(z[i] - z[same].mean()))
        scales.append(target * factor / unit)
    return scales


def _local_midnight(day: date, zone: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def _incident_window(plan: IncidentPlan, day: date, zone: ZoneInfo) -> tuple[float, float]:
    start = _local_midnight(day, zone) + plan.start_hour * 3600
    return start, start + plan.minutes * 60


def generate_day(
    model: TrafficModel,
    day: date,
    zone: ZoneInfo,
    rng: np.random.Generator,
    *,
    expected: float | None = None,
    latency_scale: float = 1.0,
) -> DayEvents:
    """One day's requests; ``expected`` (default: one of daily_volumes) is the day's mean volume."""
    if expected is None:
        expected = daily_volumes(model, [day], rng)[0]
    pinned = dict(model.pinned_days)
    # A pinned day is a figure the demo reproduces (the original's busiest and quietest
    # days, given to the hundred): exactly that many requests, not a Poisson draw around it.
    n = round(pinned[day.day]) if day.day in pinned else int(rng.poisson(expected))

    hours = rng.choice(24, size=n, p=hourly_weights(model))
    epoch = _local_midnight(day, zone) + hours * 3600 + rng.uniform(0, 3600, size=n)
    mix = model.mix
    endpoint = rng.choice(len(mix), size=n, p=np.array([e.share for e in mix]))
    epoch, hours, endpoint = _add_scanner_bursts(model, day, zone, rng, epoch, hours, endpoint)
    order = np.argsort(epoch, kind="stable")
    epoch, hours, endpoint = epoch[order], hours[order], endpoint[order]
    n = epoch.size

    medians = np.array([e.median_ms for e in mix])[endpoint]
    sigmas = np.array([e.sigma for e in mix])[endpoint]
    # Expected time of each request, so an incident can set its mean directly.
    expected_ms = medians * np.exp(sigmas**2 / 2) * hour_latency_factors(model)[hours]
    expected_ms *= latency_scale
    latency = rng.lognormal(np.log(medians * latency_scale), sigmas)
    latency *= hour_latency_factors(model)[hours]

    status = np.array([e.status for e in mix])[endpoint]
    client_error = rng.random(n) < np.array([e.error_4xx_share for e in mix])[endpoint]
    status = np.where(client_error, np.where(status == 201, 409, 404), status)
    server_error = rng.random(n) < model.base_error_share
    status = np.where(server_error, 500, status)
    balancer_error = rng.random(n) < model.lb_error_share
    status = np.where(balancer_error, LB_ERROR_STATUS, status)

    for plan in model.incidents:
        if plan.day != day.day:
            continue
        opens, closes = _incident_window(plan, day, zone)
        hit = (epoch >= opens) & (epoch < closes)
        if plan.latency_ms is not None:
            latency[hit] *= plan.latency_ms / expected_ms[hit]
            if hit.any():  # the incident's mean is the figure the original gives: exactly it
                latency[hit] *= plan.latency_ms / float(latency[hit].mean())
        else:
            latency[hit] *= plan.latency_factor
        failing = hit & (rng.random(n) < plan.error_share)
        status = np.where(failing, 503, status)

    bytes_in = np.array([e.request_bytes for e in mix])[endpoint] + rng.integers(180, 420, n)
    bytes_out = np.array([e.response_bytes for e in mix])[endpoint] * rng.uniform(0.8, 1.2, n)
    return DayEvents(
        day=day,
        epoch_s=epoch,
        endpoint_index=endpoint.astype(np.int64),
        status=status.astype(np.int64),
        task_index=rng.integers(0, len(model.tasks), n).astype(np.int64),
        latency_ms=latency,
        bytes_in=bytes_in.astype(np.int64),
        bytes_out=bytes_out.astype(np.int64),
    )


def _add_scanner_bursts(
    model: TrafficModel,
    day: date,
    zone: ZoneInfo,
    rng: np.random.Generator,
    epoch: npt.NDArray[np.float64],
    hours: npt.NDArray[np.int64],
    endpoint: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The day's scanner sweeps as extra requests to the mix's scanner endpoint."""
    bursts = [b for b in model.scanner_bursts if b.day == day.day]
    if not bursts:
        return epoch, hours, endpoint
    scanner = next(
        (i for i, e in enumerate(model.mix) if e.endpoint == names.SCANNER_ENDPOINT), None
    )
    if scanner is None:
        raise ValueError("scanner bursts need a mix entry for names.SCANNER_ENDPOINT")
    midnight = _local_midnight(day, zone)
    for burst in bursts:
        start = midnight + burst.start_hour * 3600
        at = start + rng.uniform(0, burst.minutes * 60, burst.requests)
        epoch = np.concatenate([epoch, at])
        hours = np.concatenate([hours, ((at - midnight) // 3600).astype(np.int64)])
        endpoint = np.concatenate([endpoint, np.full(burst.requests, scanner, dtype=np.int64)])
    return epoch, hours, endpoint


@dataclass
class SimulationSummary:
    months: list[str]
    requests: int
    days: int


def simulate_period(
    store: Store,
    period: Period,
    model: TrafficModel,
    *,
    rng: np.random.Generator,
    maintenance: tuple[int, float, int] | None = (20, 2.0, 30),
    users: int = 0,
    on_events: Callable[[DayEvents], None] | None = None,
    on_day: Callable[[date], None] | None = None,
) -> int:
    """Simulate one month into ``store``; return the number of requests written."""
    zone = period.zone
    endpoints = [(e.endpoint, e.method) for e in model.mix]
    window = _maintenance(store, period, maintenance)
    days = list(period.days)
    volumes = daily_volumes(model, days, rng)
    scales = latency_scales(model, days, rng)
    total = 0
    for day, expected, scale in zip(days, volumes, scales, strict=True):
        events = generate_day(model, day, zone, rng, expected=expected, latency_scale=scale)
        total += events.epoch_s.size
        if on_events is not None:
            on_events(events)
        store.write_rollups(
            rollups_from_events(
                epoch_s=events.epoch_s,
                endpoint_index=events.endpoint_index,
                endpoints=endpoints,
                status=events.status,
                task_index=events.task_index,
                tasks=model.tasks,
                latency_ms=events.latency_ms,
                bytes_in=events.bytes_in,
                bytes_out=events.bytes_out,
            )
        )
        _write_side_records(store, model, events, day, zone, rng, window)
        if on_day is not None:
            on_day(day)
    _record_incidents(store, period, model)
    _record_users_and_work(store, period, users, rng, model.work_items)
    _record_role_changes(store, period, model.role_changes)
    return total


def _maintenance(
    store: Store, period: Period, plan: tuple[int, float, int] | None
) -> tuple[float, float] | None:
    if plan is None:
        return None
    day, hour, minutes = plan
    start = datetime(period.year, period.month, day, tzinfo=period.zone) + timedelta(hours=hour)
    end = start + timedelta(minutes=minutes)
    store.add_maintenance(
        MaintenanceWindow(
            id=new_id(),
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            description="計画メンテナンス: 依存パッケージ更新 / planned: dependency updates",
        )
    )
    return start.timestamp(), end.timestamp()


def _write_side_records(
    store: Store,
    model: TrafficModel,
    events: DayEvents,
    day: date,
    zone: ZoneInfo,
    rng: np.random.Generator,
    maintenance: tuple[float, float] | None,
) -> None:
    midnight = int(_local_midnight(day, zone))
    minute_index = ((events.epoch_s - midnight) // 60).astype(np.int64)
    minute_index = np.clip(minute_index, 0, 1439)

    # Probes: one a minute, failing during probe-failure incidents and maintenance.
    probe_at = midnight + np.arange(0, 86400, PROBE_INTERVAL_S, dtype=np.float64)
    ok = np.ones(probe_at.size, dtype=bool)
    for plan in model.incidents:
        if plan.day == day.day and plan.probe_failure_minutes:
            start, _ = _incident_window(plan, day, zone)
            ok &= ~((probe_at >= start) & (probe_at < start + plan.probe_failure_minutes * 60))
    if maintenance is not None:
        ok &= ~((probe_at >= maintenance[0]) & (probe_at < maintenance[1]))
    probe_latency = rng.lognormal(np.log(4.0), 0.3, probe_at.size)
    store.write_probe_results(_probe_results(probe_at, ok, probe_latency, PROBE_API))
    # The static page, probed beside /health: the same tasks serve it, so it is down
    # exactly when /health is.
    site_latency = rng.lognormal(np.log(3.0), 0.3, probe_at.size)
    store.write_probe_results(_probe_results(probe_at, ok, site_latency, PROBE_SITE))

    # Resource samples: CPU follows each task's traffic; memory drifts slowly.
    samples = []
    for t, task in enumerate(model.tasks):
        per_minute = np.bincount(minute_index[events.task_index == t], minlength=1440)
        cpu = model.cpu_base_pct + model.cpu_pct_per_request * per_minute
        cpu = np.clip(cpu + rng.normal(0, 1.5, 1440), 0.5, 100)
        mem = model.mem_base_pct + model.mem_pct_per_request * per_minute
        mem = np.clip(mem + rng.normal(0, 0.8, 1440), 5, 100)
        samples += [
            ResourceSample(
                minute=midnight + 60 * m,
                task=task,
                cpu_pct=round(float(cpu[m]), 2),
                mem_bytes=int(mem[m] / 100 * 512 * 1024 * 1024),
                mem_pct=round(float(mem[m]), 2),
            )
            for m in range(1440)
        ]
    store.write_resource_samples(samples)

    # Log lines: the service logs one ERROR line per 5xx it answers itself (not the
    # load balancer's 502s), and the WARNING lines of log-warning incidents.
    own_errors = (events.status >= 500) & (events.status != LB_ERROR_STATUS)
    errors = np.bincount(minute_index[own_errors], minlength=1440)
    counts = [
        LogCount(
            minute=midnight + 60 * int(m), task=model.tasks[0], level="ERROR", count=int(errors[m])
        )
        for m in np.flatnonzero(errors)
    ]
    for plan in model.incidents:
        if plan.day == day.day and plan.warnings:
            start, _ = _incident_window(plan, day, zone)
            minute = int(start // 60 * 60)
            counts.append(
                LogCount(minute=minute, task=model.tasks[0], level="WARNING", count=plan.warnings)
            )
    store.write_log_counts(counts)

    # Store calls made by the requests (one per users/metrics request) and their latency.
    store.write_store_stats(
        _store_call_stats(store.backend, model, events, midnight, minute_index, rng)
    )


def _store_call_stats(
    backend: str,
    model: TrafficModel,
    events: DayEvents,
    midnight: int,
    minute_index: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> list[StoreCallStat]:
    """The day's store calls per minute: one per users/metrics request, with latencies."""
    operations = {
        ("/api/v1/users", "GET"): "list_users",
        ("/api/v1/users/{user_id}", "GET"): "get_user",
        ("/api/v1/users", "POST"): "create_user",
        ("/api/v1/users/{user_id}", "PATCH"): "update_user",
        ("/api/v1/metrics", "GET"): "read_rollups",
    }
    stats = []
    for index, endpoint in enumerate(model.mix):
        op = operations.get((endpoint.endpoint, endpoint.method))
        if op is None:
            continue
        minutes_of = minute_index[events.endpoint_index == index]
        count = np.bincount(minutes_of, minlength=1440)
        write = op in ("create_user", "update_user")
        mean = model.store_write_ms if write else model.store_read_ms
        median = mean / np.exp(STORE_CALL_SIGMA**2 / 2)
        lat = rng.lognormal(np.log(median), STORE_CALL_SIGMA, minutes_of.size)
        lat_sum = np.bincount(minutes_of, weights=lat, minlength=1440)
        lat_max = np.zeros(1440)
        np.maximum.at(lat_max, minutes_of, lat)
        stats += [
            StoreCallStat(
                minute=midnight + 60 * int(m),
                task=model.tasks[0],
                backend=backend,
                operation=op,
                count=int(count[m]),
                errors=0,
                throttles=0,
                latency_sum_ms=round(float(lat_sum[m]), 3),
                latency_max_ms=round(float(lat_max[m]), 3),
                capacity_units=float(count[m]) * (1.0 if write else 0.5),
            )
            for m in np.flatnonzero(count)
        ]
    return stats


def _record_incidents(store: Store, period: Period, model: TrafficModel) -> None:
    for plan in model.incidents:
        if plan.record is None:
            continue
        day = date(period.year, period.month, plan.day)
        start, end = _incident_window(plan, day, period.zone)
        started = datetime.fromtimestamp(start, UTC)
        store.add_incident(
            Incident(
                id=new_id(),
                started_at=started,
                ended_at=datetime.fromtimestamp(end, UTC),
                summary=plan.record["summary"],
                severity=plan.record.get("severity", "minor"),
                impact=plan.record.get("impact", ""),
                cause=plan.record.get("cause", ""),
                response=plan.record.get("response", ""),
                prevention=plan.record.get("prevention", ""),
                detected_at=started + timedelta(minutes=3),
                responded_at=started + timedelta(minutes=3 + plan.response_minutes),
            )
        )


_GIVEN = ["Hanako", "Taro", "Yuki", "Ken", "Aiko", "Sora", "Mei", "Ren", "Hina", "Kaito"]
_FAMILY = ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"]


def _record_users_and_work(
    store: Store,
    period: Period,
    users: int,
    rng: np.random.Generator,
    work: tuple[tuple[int, str, str], ...],
) -> None:
    for i in range(users):
        given = _GIVEN[i % len(_GIVEN)]
        family = _FAMILY[int(rng.integers(len(_FAMILY)))]
        store.create_user(
            NewUser(
                name=f"{given} {family}",
                email=f"{given.lower()}.{family.lower()}{i}@example.com",
                role=Role.ADMIN if i == 0 else Role.VIEWER,
                title="Cloud engineer" if i % 3 == 0 else "Developer",
            )
        )
    at = period.start + timedelta(days=5, hours=2)
    store.add_work_item(
        WorkItem(
            id=new_id(),
            at=period.start,
            kind=SIMULATED_MARKER,
            summary="この期間のデータは portfolio demo が生成 / data generated by portfolio demo",
        )
    )
    for offset, kind, summary in work:
        store.add_work_item(
            WorkItem(id=new_id(), at=at + timedelta(days=offset), kind=kind, summary=summary)
        )


def _record_role_changes(store: Store, period: Period, changes: int) -> None:
    """Promote viewers to editors through the store, logging each as a permission change.

    The operations-log entry is what the API writes when a role changes
    (security_rules.PERMISSION_USER_ROLE), so the report reads both the same way.
    """
    if changes <= 0:
        return
    viewers = [u for u in store.list_users(limit=100).items if u.role is Role.VIEWER]
    for k, user in enumerate(viewers[:changes]):
        store.update_user(user.id, {"role": Role.EDITOR.value}, expected_version=user.version)
        store.add_work_item(
            WorkItem(
                id=new_id(),
                at=period.start + timedelta(days=10 + 7 * k, hours=1),
                kind=PERMISSION_USER_ROLE,
                summary=f"{user.email}: {Role.VIEWER.value} → {Role.EDITOR.value}",
            )
        )


def _probe_results(
    at: np.ndarray, ok: np.ndarray, latency_ms: np.ndarray, target: str
) -> list[ProbeResult]:
    """One probe result per instant, as the prober records them (a failure has no latency)."""
    return [
        ProbeResult(
            at=datetime.fromtimestamp(moment, UTC),
            ok=bool(good),
            latency_ms=round(float(lat), 3) if good else None,
            status=200 if good else None,
            detail="" if good else "ConnectTimeout",
            target=target,
        )
        for moment, good, lat in zip(at.tolist(), ok.tolist(), latency_ms.tolist(), strict=True)
    ]
