"""The report as JSON for tooling, and the JSON Schema generated from the model."""

from __future__ import annotations

import json
from typing import Any

from portfolio.report.model import Report


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


def report_schema() -> dict[str, Any]:
    schema = Report.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "portfolio monthly operations report"
    return schema


def render_schema() -> str:
    return json.dumps(report_schema(), indent=2, ensure_ascii=False) + "\n"
