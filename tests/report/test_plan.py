"""The operator's plan file: documented format, clear errors, rendered in the original's places."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.config import ReportSettings, Settings
from portfolio.costs import load_prices
from portfolio.errors import InputError
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.report.model import Report
from portfolio.report.plan import load_plan, parse_plan
from portfolio.report.render.markdown import render_markdown
from portfolio.simulate.scenarios import ORIGINAL_PLAN
from portfolio.sources.base import Observations

PERIOD = Period.parse("2025-08", "Asia/Tokyo")


def report_with(plan_path: Path | None) -> Report:
    settings = Settings(report=ReportSettings(plan_path=plan_path))
    obs = Observations(period=PERIOD, source="test")
    return compute_report(obs, settings, previous=None, now=PERIOD.end, prices=load_prices())


def test_the_demo_plan_renders_the_originals_plans_marked_as_the_operators() -> None:
    r = report_with(ORIGINAL_PLAN)
    ja, en = render_markdown(r, "ja"), render_markdown(r, "en")
    mark = "運用者の計画: original_plan.toml"
    assert f". **監視の強化**: {mark}" in ja
    assert "   - より詳細なメトリクス収集" in ja
    assert "   - 可用性目標: 99.95%" in ja
    assert "   - SOC2対応" in ja
    assert "**マイクロサービス化**" in ja
    assert f"**監視の細分化**: より詳細なメトリクス収集が必要（{mark}）" in ja
    assert f"**運用効率化**: 自動化・標準化の推進（{mark}）" in ja
    assert "**Multi-region deployment**: the operator's plan: original_plan.toml" in en
    assert "マルチリージョン" not in en
    # The plan sits in its horizon and theme, as in the original.
    mid = ja.index("### 中期改善（3-6ヶ月）")
    assert mid < ja.index("**マルチリージョン展開**") < ja.index("### 長期改善（6ヶ月以上）")


def test_without_a_plan_nothing_is_invented() -> None:
    ja = render_markdown(report_with(None), "ja")
    assert "運用者の計画" not in ja
    assert "監視の細分化" not in ja


def test_a_month_file_wins_over_the_standing_plan(tmp_path: Path) -> None:
    (tmp_path / "standing.toml").write_text('[[issue]]\ntitle = "standing"\n', encoding="utf-8")
    assert load_plan(tmp_path, "2025-08").issues[0].title == "standing"  # type: ignore[union-attr]
    (tmp_path / "2025-08.toml").write_text('[[issue]]\ntitle = "august"\n', encoding="utf-8")
    plan = load_plan(tmp_path, "2025-08")
    assert plan is not None
    assert (plan.source, plan.issues[0].title) == ("2025-08.toml", "august")
    assert (
        load_plan(tmp_path / "none", "2025-08") is None
        if (tmp_path / "none").mkdir() is None
        else False
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[proposal]]\nhorizon = "soon"\ntheme = "cost"\ntitle = "x"\n',
         "plan file p.toml: proposal[1].horizon: Input should be 'short', 'mid' or 'long'"),
        ('[[proposal]]\nhorizon = "short"\ntheme = "cost"\n', "proposal[1].title: Field required"),
        ('[[issue]]\ntitle = "x"\ncolour = "red"\n',
         "issue[1].colour: Extra inputs are not permitted"),
        ('[[issue]\ntitle = "x"\n', "plan file p.toml: not valid TOML"),
        ('month = "2025-07"\n', "plan file p.toml is for 2025-07, not 2025-08"),
    ],
)  # fmt: skip
def test_a_mistake_in_the_plan_is_one_clear_message(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_plan(text, "p.toml", "2025-08")
    assert message in str(caught.value)


def test_a_missing_plan_file_is_an_error_not_an_empty_plan(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_plan(tmp_path / "plan.toml", "2025-08")
