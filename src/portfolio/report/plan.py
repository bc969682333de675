"""The operator's plan: the report's words that no measurement can produce.

The original's 課題・改善点, 次期への期待 and part of its 改善提案 (監視の強化,
マルチリージョン for 99.95 %, SOC2/ISO, マイクロサービス化, …) are an operator's plans.
The rules (report/rules.py) propose only what the data shows; these come from a TOML
file the operator writes, are validated here with one clear message per mistake, and
are rendered in the original's places, each marked as the operator's.

Where the file is (``report.plan_path``, ``PORTFOLIO_REPORT__PLAN_PATH``): a file is a
standing plan, used every month; a directory holds ``YYYY-MM.toml`` for one month and,
as the fallback, ``standing.toml``. The format is documented in docs/report.md::

    month = "2025-08"                 # optional: a file for one month says which

    [[proposal]]                      # 改善提案: one per item
    horizon = "short"                 # short | mid | long
    theme = "performance"             # performance | cost | availability | security | architecture
    title = "監視の強化 / Stronger monitoring"
    items = ["より詳細なメトリクス収集 / Collect finer metrics"]

    [[issue]]                         # 課題・改善点
    title = "監視の細分化 / Finer monitoring"
    text = "より詳細なメトリクス収集が必要 / Finer metrics are needed"

    [[expectation]]                   # 次期への期待
    title = "技術的進化 / Technical progress"
    text = "最新技術の導入・活用 / Adopt and use current technology"

A text may hold both languages as "日本語 / English"; each report takes its half.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portfolio.errors import InputError

Horizon = Literal["short", "mid", "long"]
Theme = Literal["performance", "cost", "availability", "security", "architecture"]
STANDING = "standing.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PlanProposal(_Strict):
    horizon: Horizon
    theme: Theme
    title: str = Field(min_length=1)
    items: list[str] = Field(default_factory=list)


class PlanPoint(_Strict):
    title: str = Field(min_length=1)
    text: str = ""


class OperatorPlan(_Strict):
    """A validated plan file, with the path it came from (shown beside its items)."""

    source: str = Field(default="", description="The plan file, as the report names it.")
    month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    proposals: list[PlanProposal] = Field(default_factory=list, alias="proposal")
    issues: list[PlanPoint] = Field(default_factory=list, alias="issue")
    expectations: list[PlanPoint] = Field(default_factory=list, alias="expectation")


def plan_file(path: Path, month: str) -> Path | None:
    """The file that holds ``month``'s plan under ``path``, or None when there is none."""
    if path.is_dir():
        for name in (f"{month}.toml", STANDING):
            if (path / name).is_file():
                return path / name
        return None
    if not path.exists():
        raise InputError(f"plan file {path} does not exist")
    return path


def _where(loc: tuple[int | str, ...]) -> str:
    """('proposal', 2, 'horizon') -> 'proposal[3].horizon' (1-based, as a person counts)."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


def parse_plan(text: str, source: str, month: str) -> OperatorPlan:
    """Validate a plan's TOML text; InputError naming the file, the place and the fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"plan file {source}: not valid TOML: {err}") from None
    try:
        plan = OperatorPlan.model_validate({**data, "source": source})
    except ValidationError as err:
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in err.errors())
        raise InputError(f"plan file {source}: {problems} (format: docs/report.md)") from None
    if plan.month is not None and plan.month != month:
        raise InputError(f"plan file {source} is for {plan.month}, not {month}")
    return plan


def load_plan(path: Path | None, month: str) -> OperatorPlan | None:
    """The operator's plan for ``month`` from ``path`` (a file or a directory), if any."""
    if path is None:
        return None
    found = plan_file(path, month)
    if found is None:
        return None
    return parse_plan(found.read_text(encoding="utf-8"), found.name, month)
