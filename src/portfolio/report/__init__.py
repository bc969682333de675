"""The monthly operations report (運用報告書): model, builder, analysis, renderers.

The way through it: ``build`` computes the model (``model``) from Observations, one
module per section of the original; ``compose`` turns the model into a neutral document
(``document``) with ``sections``, one module per section again, every figure written by
``numbers``' rules through ``fmt``; ``render`` writes that document as Markdown, HTML,
PDF, JSON and CSV; ``write`` puts the files in place. ``series`` reads a month back
from its report.json (any schema), for ``archive`` (the index over all months) and
前月からの変化 (``model_changes``, built in ``build``). The names below are the modules
other packages use; this file imports none of them, so importing one stays cheap.
"""

__all__ = [
    "analysis",
    "archive",
    "build",
    "compose",
    "document",
    "fmt",
    "kpis",
    "model",
    "model_changes",
    "numbers",
    "plan",
    "render",
    "rules",
    "sections",
    "security",
    "series",
    "write",
]
