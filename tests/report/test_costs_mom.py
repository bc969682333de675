"""前月比 in コスト分析 says what is true when there is no ratio: a $0 base is not a missing
month, and a unit cost whose last-month denominator is not recorded says which one."""

from __future__ import annotations

from portfolio.report.model import CostRow, Report
from portfolio.report.render.markdown import render_markdown
from tests.report.conftest import SimulatedMonth


def _row(text: str, name: str) -> list[str]:
    line = next(x for x in text.splitlines() if x.startswith(f"| {name} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def _with_lines(report: Report, lines: list[CostRow]) -> Report:
    return report.model_copy(update={"costs": report.costs.model_copy(update={"lines": lines})})


def test_a_service_at_zero_both_months_is_not_a_missing_month(simulated: SimulatedMonth) -> None:
    lines = [
        CostRow(service="Amazon CloudFront", usd=0.0, share=0.0, previous_usd=0.0,
                change_percent=None),
        CostRow(service="Amazon Simple Notification Service", usd=1.0, share=0.0,
                previous_usd=0.0, change_percent=None),
        CostRow(service="AWS Budgets", usd=0.0, share=0.0, previous_usd=None,
                change_percent=None),
    ]  # fmt: skip
    report = _with_lines(simulated.report, lines)
    ja, en = render_markdown(report, "ja"), render_markdown(report, "en")
    assert _row(ja, "CloudFront")[3] == "±0（前月も$0）"
    assert _row(en, "CloudFront")[3] == "±0 (also $0 last month)"
    assert _row(ja, "SNS")[3] == "—（前月は$0のため比率なし）"
    assert _row(en, "SNS")[3] == "— (last month $0: no ratio)"
    assert _row(ja, "Budgets")[3] == "前月データなし"  # truly no previous figure
    assert _row(en, "Budgets")[3] == "no previous month"


def test_the_per_user_change_names_the_missing_user_count(simulated: SimulatedMonth) -> None:
    """The store keeps today's user count only: last month's per-user cost is not computed."""
    costs = simulated.report.costs
    assert costs.previous_total_usd is not None
    assert costs.per_user_usd is not None
    assert costs.per_user_previous_usd is None
    ja, en = render_markdown(simulated.report, "ja"), render_markdown(simulated.report, "en")
    ja_why = "算出なし。ストアには現在の利用者数しかなく、前月時点の数がありません"
    assert f"/user（前月比: {ja_why}）" in ja
    en_why = "not computed; the store holds only the current user count, not last month's"
    assert f"/user (vs previous month: {en_why})" in en
    assert "/user（前月比: 前月データなし）" not in ja
