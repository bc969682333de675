"""Where each report source lives, by the name `portfolio report --source NAME` uses.

A source registers its factory (``register_source``) when its module is imported, and
``make_source`` imports only the module of the source asked for: a report from the
local store never loads boto3 or DuckDB. A new source adds one line here.
"""

from typing import Final

SOURCE_MODULES: Final[dict[str, str]] = {
    "local": "portfolio.sources.local",
    "alb-logs": "portfolio.sources.alb_source",
    "aws": "portfolio.sources.aws",
}
