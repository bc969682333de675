"""The monthly operations report (運用報告書): model, builder, analysis, renderers.

The way through it: ``build`` computes the model (``model``) from Observations, one
module per section of the original; ``compose`` turns the model into a neutral document
(``document``) with ``sections``, one module per section again, every figure written by
``numbers``' rules through ``fmt``; ``render`` writes that document as Markdown, HTML,
PDF, JSON and CSV; ``write`` puts the files in place. The names below are the modules
other packages use; this file imports none of them, so importing one stays cheap.
"""

__all__ = [
    "analysis",
    "build",
    "compose",
    "document",
    "fmt",
    "kpis",
    "model",
    "numbers",
    "plan",
    "render",
    "rules",
    "sections",
    "security",
    "write",
]
