"""Renderers: they format the report model and never compute a figure.

Each renderer is imported by its module path (``render.markdown.render_markdown``,
``render.html.render_html``, ...); this file imports none of them, because the composer
they render uses ``render.text`` and importing every renderer here would run in a circle.
"""

__all__ = [
    "archive",
    "charts",
    "csv",
    "html",
    "jsonout",
    "labels",
    "markdown",
    "pdf",
    "svg",
    "text",
]
