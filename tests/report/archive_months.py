"""Three months of report.json with known figures, for the archive's tests (and the browser's).

Each is a real report (the simulated month's, dumped as report.json writes it) with its
month and four summary KPIs set to known values: 2025-06 was written by schema 2.0
(no ``changes``, and without the parts listed in OLD_SCHEMA_DROPS), 2025-07 missed its
availability target, 2025-08 is current.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from portfolio.report.model import Report

KNOWN: dict[str, dict[str, tuple[float, str]]] = {
    "2025-06": {
        "availability": (99.95, "met"),
        "response_time_avg": (80.0, "met"),
        "error_rate": (0.1, "met"),
        "monthly_cost": (9.5, "met"),
    },
    "2025-07": {
        "availability": (99.5, "missed"),
        "response_time_avg": (90.0, "met"),
        "error_rate": (0.2, "met"),
        "monthly_cost": (10.5, "missed"),
    },
    "2025-08": {
        "availability": (100.0, "met"),
        "response_time_avg": (85.0, "met"),
        "error_rate": (0.15, "met"),
        "monthly_cost": (9.8, "met"),
    },
}
COSTS = {"2025-06": 3.0, "2025-07": 4.0, "2025-08": 5.0}
"""The first cost line's USD per month (chart data)."""
OLD_SCHEMA = "2025-06"
OLD_SCHEMA_DROPS = ("changes", "traffic.daily", "latency_ms")
FILES = {
    "2025-06": ("operations-report.ja.html", "operations-report.en.html"),
    "2025-07": ("operations-report.ja.html", "operations-report.en.html",
                "operations-report.ja.pdf", "operations-report.en.pdf"),
    "2025-08": ("operations-report.ja.html", "operations-report.en.html",
                "operations-report.ja.pdf", "operations-report.en.pdf",
                "operations-report.ja.md", "operations-report.en.md"),
}  # fmt: skip


def month_json(report: Report, month: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.model_dump_json())
    data = copy.deepcopy(data)
    data["period"]["month"] = month
    for kpi in data["kpis"]:
        if kpi["id"] in KNOWN[month]:
            kpi["actual"], kpi["status"] = KNOWN[month][kpi["id"]]
    data["costs"]["lines"][0]["usd"] = COSTS[month]
    for day in data["traffic"]["daily"]:
        day["date"] = month + day["date"][7:]
    if month == OLD_SCHEMA:
        data["schema_version"] = "2.0"
        for path in OLD_SCHEMA_DROPS:
            *parents, leaf = path.split(".")
            node = data
            for step in parents:
                node = node[step]
            node.pop(leaf, None)
        data["a_field_from_the_future"] = {"ignored": True}
    return data


def write_months(report: Report, root: Path) -> Path:
    """``root/reports`` with the three months' report.json and their (stub) files."""
    reports = root / "reports"
    for month in KNOWN:
        folder = reports / month
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(month_json(report, month)), "utf-8")
        for name in FILES[month]:
            (folder / name).write_text(f"<!doctype html><title>{month}</title>", "utf-8")
    return reports
