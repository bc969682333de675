"""The crash spool: a dead worker's counts reach the store once, a live one's never early."""

from __future__ import annotations

from pathlib import Path

from portfolio.store.sqlite import SQLiteStore
from portfolio.telemetry.recorder import Recorder
from portfolio.telemetry.spool import Spool

NOW = 1_754_000_000.0  # a fixed clock, 20 minutes into an hour
MINUTE = int(NOW // 60) * 60


def _count(recorder: Recorder, n: int, status: int = 200) -> None:
    for i in range(n):
        recorder.record_request(endpoint="/health", method="GET", status=status,
                                duration_ms=1.0 + i, bytes_in=0, bytes_out=10)  # fmt: skip


def _totals(store: SQLiteStore) -> tuple[int, int]:
    minutes = sum(r.count for r in store.read_rollups(MINUTE - 7200, MINUTE + 7200))
    hours = sum(
        r.count for r in store.read_rollups(MINUTE - 7200, MINUTE + 7200, resolution="hour")
    )
    return minutes, hours


def _killed(store: SQLiteStore, spool_dir: Path, task: str, clock: list[float]) -> Recorder:
    """A recorder whose worker dies: its lock is released, nothing else runs."""
    recorder = Recorder(store, task_id=task, clock=lambda: clock[0], spool=Spool(spool_dir, task))
    assert recorder.spool is not None
    recorder.spool.open()
    return recorder


def _die(recorder: Recorder) -> None:
    assert recorder.spool is not None
    recorder.spool.close(everything_written=False)  # as the kernel does for a killed process


def test_a_dead_workers_open_minute_is_folded_in_once(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    clock = [NOW]
    dead = _killed(store, tmp_path / "spool", "host-1", clock)
    _count(dead, 5)
    clock[0] = NOW + 60
    dead.tick()  # the first minute is written (its hour is still open)
    _count(dead, 7, status=503)  # the open minute: only in the spool
    _die(dead)

    survivor = Spool(tmp_path / "spool", "host-2")
    survivor.open()
    folded = survivor.fold_orphans(store)
    assert (folded.tasks, folded.requests) == (1, 7)
    assert _totals(store) == (12, 12)  # the hour row of the dead task is complete too
    assert survivor.fold_orphans(store).tasks == 0  # nothing left, nothing twice
    assert _totals(store) == (12, 12)
    assert sorted(p.name for p in (tmp_path / "spool").iterdir()) == ["host-2.lock"]
    store.close()


def test_a_fold_cut_short_is_redone_without_counting_twice(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    clock = [NOW]
    dead = _killed(store, tmp_path / "spool", "host-1", clock)
    _count(dead, 4)
    _die(dead)
    # A first folder wrote the minute rows and died before the hour rows and the cleanup.
    from portfolio.telemetry.spool import read_segment

    [segment] = (tmp_path / "spool").glob("*.spool")
    store.write_rollups(list(read_segment(segment, "host-1").values()), resolution="minute")
    folder = Spool(tmp_path / "spool", "host-3")
    folder.open()
    assert folder.fold_orphans(store).requests == 0
    assert _totals(store) == (4, 4)
    store.close()


def test_a_live_workers_spool_is_left_alone(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    clock = [NOW]
    live = _killed(store, tmp_path / "spool", "host-1", clock)
    _count(live, 3)
    other = Spool(tmp_path / "spool", "host-2")
    other.open()
    assert other.fold_orphans(store).tasks == 0
    assert _totals(store) == (0, 0)
    live.flush()  # a clean stop writes everything and removes its files
    assert live.spool is not None
    live.spool.close(everything_written=True)
    assert _totals(store) == (3, 3)
    assert other.fold_orphans(store).tasks == 0
    assert _totals(store) == (3, 3)
    store.close()


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    clock = [NOW]
    dead = _killed(store, tmp_path / "spool", "host-1", clock)
    _count(dead, 2)
    _die(dead)
    [segment] = (tmp_path / "spool").glob("*.spool")
    with segment.open("ab") as out:
        out.write(b'[1754000000,"/hea')  # a write cut short
    folder = Spool(tmp_path / "spool", "host-2")
    folder.open()
    assert folder.fold_orphans(store).requests == 2
    store.close()
