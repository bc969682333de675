"""The rendered report is the original document: its headings, labels and tables, in order.

Everything is compared with the original file (docs/original/), parsed by
tests/report/original.py, never with a hand-typed list.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from pathlib import Path

from portfolio.report.render.jsonout import render_json, render_schema
from portfolio.report.render.markdown import render_markdown
from portfolio.report.render.text import TEXT
from tests.report.conftest import SimulatedMonth
from tests.report.original import (
    ORIGINAL,
    ROOT,
    SEEDS,
    SHA256,
    is_data_driven,
    original_text,
    parse,
)


def test_the_repository_copy_is_the_original() -> None:
    copy = ORIGINAL.read_bytes()
    assert hashlib.sha256(copy).hexdigest() == SHA256
    for seed in SEEDS:  # the workspace's copy, where this checkout has one beside it
        if seed.exists():
            assert copy == seed.read_bytes()


def test_the_original_has_41_section_headings() -> None:
    headings, _ = parse(original_text())
    assert len([h for h in headings if h[0] in (2, 3)]) == 41


def test_japanese_report_has_every_heading_of_the_original_in_order(
    simulated: SimulatedMonth,
) -> None:
    expected, _ = parse(original_text())
    ours, _ = parse(render_markdown(simulated.report, "ja"))
    # Ours may add headings (one per incident, the appendix); the original's appear in
    # its order, at its levels, and nothing of ours comes between its sections but those.
    wanted = [h for h in expected if not h[1].startswith("問題")]
    found = [h for h in ours if h in wanted]
    assert found == wanted
    extra = [h for h in ours if h not in wanted]
    assert all(h[1].startswith("問題") or h[1] == "付録" for h in extra if h[0] == 2 or
               h[1].startswith("問題")), extra  # fmt: skip
    appendix = ours.index((2, "付録"))
    assert ours[appendix - 1] == (2, "関連ドキュメント")
    assert all(level >= 3 for level, _ in ours[appendix + 1 :])


def test_every_label_of_the_original_is_under_its_heading(simulated: SimulatedMonth) -> None:
    _, expected = parse(original_text())
    _, ours = parse(render_markdown(simulated.report, "ja"))
    have = {(i.path, i.kind, i.label) for i in ours}
    missing = [
        i
        for i in expected
        if not is_data_driven(i.path)
        and not (i.kind == "table-row" and "月次コスト内訳" in i.path)
        and (i.path, i.kind, i.label) not in have
    ]
    assert not missing, missing


def test_tables_keep_the_original_columns_first(simulated: SimulatedMonth) -> None:
    def headers(markdown: str) -> dict[tuple[str, ...], list[str]]:
        _, items = parse(markdown)
        out: dict[tuple[str, ...], list[str]] = {}
        for i in items:
            if i.kind == "table-header":
                out.setdefault(i.path, []).append(i.label)
        return out

    ours = headers(render_markdown(simulated.report, "ja"))
    for path, columns in headers(original_text()).items():
        assert ours[path][: len(columns)] == columns, path


def test_the_original_checklists_are_checklists_with_counts(simulated: SimulatedMonth) -> None:
    ja = render_markdown(simulated.report, "ja")
    for item in simulated.report.work.maintenance:
        mark = "x" if item.count else " "
        assert re.search(rf"- \[{mark}\] .+（{item.count}回）", ja), item


def test_english_report_mirrors_the_japanese_one(simulated: SimulatedMonth) -> None:
    ja, en = (render_markdown(simulated.report, lang) for lang in ("ja", "en"))  # type: ignore[arg-type]
    heads_ja, items_ja = parse(ja)
    heads_en, items_en = parse(en)
    assert [h[0] for h in heads_en] == [h[0] for h in heads_ja]
    assert [i.kind for i in items_en] == [i.kind for i in items_ja]
    assert en.count("\n|") == ja.count("\n|")
    assert en.count("\n- [") == ja.count("\n- [")


def test_japanese_report_is_japanese(simulated: SimulatedMonth) -> None:
    ja = render_markdown(simulated.report, "ja")
    assert not re.search(r"\b[a-z_]+=[\w.]+", ja), "key=value evidence"
    for word in ("avg", "no data", "PASS:", "WARN:", "FAIL:", "PITR enabled", "estimate:"):
        assert word not in ja, word
    # No English sentence: a run of four or more English words outside code.
    prose = re.sub(r"`[^`]*`", "", ja)
    assert not re.search(
        r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b",
        prose.replace("AWS Portfolio Infrastructure", ""),
    )


def test_report_says_it_is_simulated(simulated: SimulatedMonth) -> None:
    assert "シミュレーション" in render_markdown(simulated.report, "ja")
    assert "simulated" in render_markdown(simulated.report, "en")
    assert json.loads(render_json(simulated.report))["document"]["simulated"] is True


def test_json_has_the_keys_tooling_needs(simulated: SimulatedMonth) -> None:
    data = json.loads(render_json(simulated.report))
    assert data["period"]["month"] == "2025-08"
    assert isinstance(data["availability"]["percent"], float)
    assert set(data["latency_ms"]) == {"avg", "p50", "p95", "p99"}
    assert isinstance(data["error_rate"], float)
    assert data["traffic"]["total_requests"] > 0
    assert {"date", "requests"} <= set(data["traffic"]["daily"][0])
    assert {"endpoint", "requests", "share"} <= set(data["traffic"]["by_endpoint"][0])
    assert isinstance(data["costs"]["total_usd"], float)
    assert {"id", "target", "actual", "met"} <= set(data["kpis"][0])
    for key in ("incident_counts", "closing"):
        assert key in data
    for key in ("network_mb_per_s", "error_logs", "warning_logs"):
        assert key in data["services"]["compute"]
    for key in ("target_health_percent", "requests_per_minute_avg"):
        assert key in data["services"]["entry_point"]
    for key in ("read_capacity_percent", "throttles", "read_latency_ms", "write_latency_ms"):
        assert key in data["services"]["data_store"]
    for key in ("cache_hit_ratio_percent", "origin_error_rate_percent", "edge_locations"):
        assert key in data["services"]["static_site"]
    assert {"off_peak_hours", "peak_hours"} <= set(data["performance"]["peak"])


def test_schema_file_is_in_step_with_the_model() -> None:
    committed = (ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8")
    assert committed == render_schema(), "run `portfolio docs schema` and commit the result"


def test_text_catalogue_has_the_same_keys_in_both_languages() -> None:
    assert set(TEXT["ja"]) == set(TEXT["en"])
    for key in TEXT["ja"]:
        fields = {f[1] for f in string.Formatter().parse(TEXT["ja"][key]) if f[1]}
        assert fields == {f[1] for f in string.Formatter().parse(TEXT["en"][key]) if f[1]}, key


def test_every_kpi_has_its_original_label(simulated: SimulatedMonth) -> None:
    for kpi in simulated.report.kpis:
        assert f"k.{kpi.id}" in TEXT["ja"], kpi.id


def test_the_docs_page_names_the_original_copy() -> None:
    text = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert "docs/original/operations-report-2025-08.ja.md" in text or (
        "original/operations-report-2025-08.ja.md" in text
    )
    assert Path(ORIGINAL).exists()
