"""The latency sketch: percentiles within the stated relative error, merges exact."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.sketch import MIN_VALUE, ZERO_BIN, LatencySketch, bin_index, bin_sql

latencies = st.lists(
    st.floats(min_value=0.01, max_value=60_000, allow_nan=False), min_size=1, max_size=400
)
quantiles = st.sampled_from([0.0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0])


def exact(values: list[float], q: float) -> float:
    """Nearest rank, as sketch.py defines it: the value at 1-based rank ceil(q * n)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered) - 1e-9)) - 1]


@given(latencies, quantiles)
@settings(max_examples=300, deadline=None)
def test_quantiles_are_within_relative_accuracy(values: list[float], q: float) -> None:
    sketch = LatencySketch()
    for v in values:
        sketch.add(v)
    estimate = sketch.quantile(q)
    truth = exact(values, q)
    assert estimate is not None
    assert abs(estimate - truth) <= LatencySketch.relative_accuracy * truth + 1e-9


@given(latencies, latencies, quantiles)
@settings(max_examples=150, deadline=None)
def test_merge_equals_one_sketch_of_all_values(a: list[float], b: list[float], q: float) -> None:
    left, right, both = LatencySketch(), LatencySketch(), LatencySketch()
    for v in a:
        left.add(v)
        both.add(v)
    for v in b:
        right.add(v)
        both.add(v)
    left.merge(right)
    assert left == both
    assert left.quantile(q) == both.quantile(q)


@given(latencies)
@settings(max_examples=100, deadline=None)
def test_bulk_insert_equals_one_by_one_and_survives_bytes(values: list[float]) -> None:
    one, bulk = LatencySketch(), LatencySketch()
    for v in values:
        one.add(v)
    bulk.add_many(np.array(values))
    assert one == bulk
    restored = LatencySketch.from_bytes(bulk.to_bytes())
    assert restored == bulk
    assert restored.quantile(0.95) == bulk.quantile(0.95)
    assert restored.max == bulk.max


def test_empty_sketch_has_no_quantiles() -> None:
    assert LatencySketch().quantile(0.5) is None
    assert LatencySketch().mean is None


def test_zero_latency_is_counted() -> None:
    sketch = LatencySketch()
    sketch.add(0.0)
    sketch.add(5.0)
    assert sketch.count == 2
    assert sketch.quantile(0.0) == 0.0


def test_many_blobs_decode_at_once_as_each_would_alone() -> None:
    rng = np.random.default_rng(11)
    sketches = []
    for n in (0, 1, 5, 300, 2):
        sketch = LatencySketch()
        sketch.add_many(rng.lognormal(2.0, 1.5, size=n))
        sketches.append(sketch)
    zeros = LatencySketch()
    zeros.add_many(np.zeros(3))  # only the zero bucket
    sketches.append(zeros)
    blobs = [s.to_bytes() for s in sketches]
    decoded = LatencySketch.many_from_bytes(blobs)
    singly = [LatencySketch.from_bytes(b) for b in blobs]
    assert decoded == singly
    for got, alone in zip(decoded, singly, strict=True):
        assert (got.count, got.zero_count, got.min, got.max) == (
            alone.count,
            alone.zero_count,
            alone.min,
            alone.max,
        )
        assert got.quantile(0.99) == alone.quantile(0.99)
        assert got.to_bytes() == alone.to_bytes()
    assert LatencySketch.many_from_bytes([]) == []


def test_sketches_decoded_together_do_not_share_counts() -> None:
    a, b = LatencySketch(), LatencySketch()
    a.add_many(np.array([1.0, 2.0, 3.0]))
    b.add_many(np.array([2.0, 3.0, 4.0]))
    first, second = LatencySketch.many_from_bytes([a.to_bytes(), b.to_bytes()])
    first.merge(second)
    first.merge(second)
    assert second == b
    assert first.count == 9


def test_a_blob_of_another_format_is_refused_in_bulk_too() -> None:
    blob = bytearray(LatencySketch().to_bytes())
    blob[0] = 9
    with pytest.raises(ValueError, match="format version"):
        LatencySketch.many_from_bytes([bytes(blob)])


def _with_pending_adds() -> LatencySketch:
    """A sketch holding single adds not yet joined into its dense bins (the live path)."""
    sketch = LatencySketch()
    sketch.add_many(np.array([4.0, 8.0]))
    for value in (0.0, 2.5, 8.0, 900.0):
        sketch.add(value)
    return sketch


@given(st.lists(st.lists(st.floats(0, 60_000, allow_nan=False), max_size=40), max_size=30))
@settings(max_examples=200, deadline=None)
def test_many_sketches_encode_at_once_byte_for_byte_as_each_alone(
    parts: list[list[float]],
) -> None:
    sketches = []
    for values in parts:
        sketch = LatencySketch()
        sketch.add_many(np.array(values, dtype=np.float64))
        sketches.append(sketch)
    sketches.append(_with_pending_adds())
    merged = LatencySketch.merged_groups(sketches, [i % 3 for i in range(len(sketches))], 3)
    every = [*sketches, *merged, LatencySketch()]
    assert LatencySketch.many_to_bytes(every) == [s.to_bytes() for s in every]
    assert LatencySketch.many_to_bytes([]) == []


@given(st.lists(st.lists(st.floats(0, 60_000, allow_nan=False), max_size=40), max_size=30))
@settings(max_examples=200, deadline=None)
def test_many_sketches_from_bins_equal_from_bins_one_at_a_time(parts: list[list[float]]) -> None:
    keys, counts, nbins, singly = [], [], [], []
    fields: dict[str, list[float]] = {"zero": [], "sum": [], "min": [], "max": []}
    for values in parts:
        array = np.array(values, dtype=np.float64)
        binned = LatencySketch.bin_indexes(array)
        k, c = np.unique(binned[binned != np.iinfo(np.int64).min], return_counts=True)
        zero = int(np.count_nonzero(binned == np.iinfo(np.int64).min))
        low = float(array.min()) if array.size else math.inf
        high = float(array.max()) if array.size else -math.inf
        singly.append(LatencySketch.from_bins(k, c, zero_count=zero, total=float(array.sum()),
                                              low=low, high=high))  # fmt: skip
        keys.append(k)
        counts.append(c)
        nbins.append(k.size)
        for name, value in zip(fields, (zero, float(array.sum()), low, high), strict=True):
            fields[name].append(value)
    together = LatencySketch.many_from_bins(
        np.concatenate([np.zeros(0, dtype=np.int64), *keys]),
        np.concatenate([np.zeros(0, dtype=np.int64), *counts]),
        np.array(nbins, dtype=np.int64),
        zero_counts=np.array(fields["zero"], dtype=np.int64),
        totals=np.array(fields["sum"]),
        lows=np.array(fields["min"]),
        highs=np.array(fields["max"]),
    )
    assert together == singly
    for got, alone in zip(together, singly, strict=True):
        assert (got.count, got.zero_count, got.sum, got.min, got.max) == (
            alone.count, alone.zero_count, alone.sum, alone.min, alone.max,
        )  # fmt: skip
        assert got.to_bytes() == alone.to_bytes()
    if len(together) >= 2:  # each owns its region of the shared array
        before = together[1].to_bytes()
        together[0].merge(together[0])
        assert together[1].to_bytes() == before


sketch_values = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=60_000, allow_nan=False)),
    max_size=30,
)


@given(st.lists(st.tuples(sketch_values, st.integers(0, 4)), max_size=25), st.integers(5, 7))
@settings(max_examples=200, deadline=None)
def test_merged_groups_equal_one_merge_at_a_time(
    parts: list[tuple[list[float], int]], size: int
) -> None:
    sketches = []
    for values, _ in parts:
        sketch = LatencySketch()
        sketch.add_many(np.array(values, dtype=np.float64))
        sketches.append(sketch)
    groups = [group for _, group in parts]
    together = LatencySketch.merged_groups(sketches, groups, size)
    assert len(together) == size
    for g, got in enumerate(together):
        alone = LatencySketch.merged(s for s, k in zip(sketches, groups, strict=True) if k == g)
        assert got == alone
        assert (got.count, got.zero_count, got.sum, got.min, got.max) == (
            alone.count, alone.zero_count, alone.sum, alone.min, alone.max,
        )  # fmt: skip
        assert got.to_bytes() == alone.to_bytes()
        assert got.quantile(0.99) == alone.quantile(0.99)


def test_merged_groups_own_their_counts_and_refuse_bad_groups() -> None:
    a, b = LatencySketch(), LatencySketch()
    a.add_many(np.array([1.0, 2.0]))
    b.add_many(np.array([300.0]))
    inside = LatencySketch()
    inside.add_many(np.array([1.5, 2.0]))  # bins within a's range
    first, second = LatencySketch.merged_groups([a, b], [0, 1], 2)
    first.merge(inside)  # added in place, in first's own region of the joined array
    assert second == b
    assert first.count == 4
    first.merge(b)  # b's bins lie beyond first's range: first reallocates
    assert second == b
    assert a.count == 2
    assert LatencySketch.merged_groups([], [], 0) == []
    with pytest.raises(ValueError, match="group"):
        LatencySketch.merged_groups([a], [2], 2)
    with pytest.raises(ValueError, match="one group per sketch"):
        LatencySketch.merged_groups([a, b], [0], 2)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_add_rejects_a_non_finite_latency_by_name(value: float) -> None:
    sketch = LatencySketch()
    sketch.add(5.0)
    with pytest.raises(ValueError, match=rf"finite, non-negative .* got {value!r}"):
        sketch.add(value)
    assert sketch.count == 1  # nothing of the refused value kept
    assert sketch.sum == 5.0


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_add_many_rejects_a_non_finite_latency_by_name(value: float) -> None:
    sketch = LatencySketch()
    with pytest.raises(ValueError, match=rf"finite, non-negative .* got {value!r}"):
        sketch.add_many(np.array([1.0, 2.0, value, 3.0]))
    assert sketch.count == 0


def test_add_rejects_a_negative_latency() -> None:
    with pytest.raises(ValueError, match=r"got -1\.0"):
        LatencySketch().add(-1.0)
    with pytest.raises(ValueError, match=r"got -1\.0"):
        LatencySketch().add_many(np.array([1.0, -1.0]))


def test_the_bin_formula_is_the_same_in_python_numpy_and_sql() -> None:
    """One formula, three forms: ``bin_index``, ``bin_indexes`` and the SQL the log
    readers run (DuckDB here; Athena gets the same text), on the same values."""
    values = [0.0, MIN_VALUE / 2, MIN_VALUE, 0.001, 0.5, 1.0, 1.01, 3.7, 99.99, 100.0, 6e4]
    values += [float(v) for v in np.geomspace(MIN_VALUE, 1e5, 400)]
    python = [ZERO_BIN if v < MIN_VALUE else bin_index(v) for v in values]
    vector = LatencySketch.bin_indexes(np.array(values)).tolist()
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT {bin_sql('ms', null_bin='-1')} FROM unnest(?::DOUBLE[]) AS t(ms)",  # noqa: S608
            [[*values, None]],
        ).fetchall()
    finally:
        con.close()
    sql = [r[0] for r in rows]
    assert sql[-1] == -1  # NULL: the caller's marker
    assert sql[:-1] == python
    positive = [i for i, v in enumerate(values) if v >= MIN_VALUE]
    assert [vector[i] for i in positive] == [python[i] for i in positive]
