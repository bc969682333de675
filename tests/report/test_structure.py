"""The rendered report: the original's sections in order, both languages, JSON keys, schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

from portfolio.report.render.jsonout import render_json, render_schema
from portfolio.report.render.markdown import render_markdown
from portfolio.report.render.text import TEXT
from tests.report.conftest import SimulatedMonth

ROOT = Path(__file__).resolve().parents[2]

# The section headings of the original 運用報告書, in its order.
ORIGINAL_JA_HEADINGS = [
    "1. 文書情報",
    "2. 運用期間サマリー",
    "3. KPI達成状況",
    "4. サービス別稼働状況",
    "5. パフォーマンス分析",
    "6. インシデント",
    "7. コスト分析",
    "8. セキュリティ状況",
    "9. 実施した作業",
    "10. SLO・エラーバジェット",
    "11. 改善提案",
    "12. 総括",
]


def headings(markdown: str, level: int) -> list[str]:
    return re.findall(rf"^{'#' * level} (.+)$", markdown, flags=re.M)


def test_japanese_report_has_every_section_in_order(simulated: SimulatedMonth) -> None:
    ja = render_markdown(simulated.report, "ja")
    assert headings(ja, 1) == ["AWS Portfolio Infrastructure 運用報告書（2025-08）"]
    assert headings(ja, 2) == ORIGINAL_JA_HEADINGS
    assert "3.1 技術KPI" in headings(ja, 3)
    assert "5.1 週次応答時間推移" in headings(ja, 3)


def test_english_report_mirrors_the_japanese_one(simulated: SimulatedMonth) -> None:
    ja = render_markdown(simulated.report, "ja")
    en = render_markdown(simulated.report, "en")
    assert len(headings(en, 2)) == len(headings(ja, 2))
    assert len(headings(en, 3)) == len(headings(ja, 3))
    assert headings(en, 2)[0] == "1. Document information"
    # Same tables, same figures: the count of table rows matches line for line.
    assert en.count("\n|") == ja.count("\n|")


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


def test_schema_file_is_in_step_with_the_model() -> None:
    committed = (ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8")
    assert committed == render_schema(), "run `portfolio docs schema` and commit the result"


def test_text_catalogue_has_the_same_keys_in_both_languages() -> None:
    assert set(TEXT["ja"]) == set(TEXT["en"])


def test_every_proposal_and_kpi_has_text() -> None:
    from portfolio.report import build

    source = Path(build.__file__).read_text(encoding="utf-8")
    for proposal_id in re.findall(r'id="([a-z_]+)"', source):
        assert f"prop.{proposal_id}" in TEXT["en"], proposal_id
    for kpi_id in re.findall(r'_kpi\("([a-z_]+)"', source):
        assert f"kpi.{kpi_id}" in TEXT["en"], kpi_id


def test_money_and_counts_read_as_a_person_writes_them(simulated: SimulatedMonth) -> None:
    en = render_markdown(simulated.report, "en")
    assert "$-" not in en  # negative amounts are "-$42.53"
    assert not re.search(r"\$\d+\.\d(?!\d)", en)  # "$10.00", never "$10.0"
    counts = [
        value
        for proposal in simulated.report.proposals
        for name, value in proposal.evidence.items()
        if name in ("incidents", "done", "expected", "week", "outages")
    ]
    assert counts  # the simulated month has an incident without a cause
    assert all(isinstance(value, int) for value in counts)
