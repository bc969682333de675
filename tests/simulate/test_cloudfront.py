"""Simulated CloudFront standard logs read back through the real parser."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from portfolio.period import Period
from portfolio.simulate.cloudfront import SiteModel, write_cloudfront_logs
from portfolio.sources.cloudfront_logs import FIELDS, read_cloudfront

AUGUST = Period.parse("2025-08", "Asia/Tokyo")


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = Path(tmp_path_factory.mktemp("cf"))
    return out, write_cloudfront_logs(out, AUGUST, np.random.default_rng(1))


def test_files_are_gzipped_standard_logs_with_33_fields(logs: tuple[Path, list[Path]]) -> None:
    _, files = logs
    assert len(files) == 31
    with gzip.open(files[0], "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    assert lines[0] == "#Version: 1.0"
    assert lines[1] == "#Fields: " + " ".join(FIELDS)
    assert all(len(line.split("\t")) == 33 for line in lines[2:])


def test_the_parser_reads_every_line_and_the_models_shape(logs: tuple[Path, list[Path]]) -> None:
    out, files = logs
    lines = 0
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines += sum(1 for line in fh if not line.startswith("#"))
    stats, notes, _anomalies = read_cloudfront([str(out)], AUGUST)
    # 09:00 JST on the 1st is still July in UTC, so a few lines fall before the month.
    assert lines - 200 < stats.requests <= lines
    assert "0 malformed" in notes[0]
    assert 100 * stats.cache_hits / stats.requests == pytest.approx(
        SiteModel().cache_hit_share * 100, abs=1.0
    )
    assert stats.errors_5xx == 0
    assert [code for code, _ in stats.edge_locations][:2] == ["NRT", "KIX"]
