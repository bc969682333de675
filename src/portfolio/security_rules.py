"""The rules behind the report's セキュリティメトリクス, defined once.

The API's telemetry, the access-log sources and the report all classify requests with
these, and docs/report.md states them, so 異常アクセス means the same thing whatever
the source.

- A *scanner path* is a request path that probes for software this service does not run
  (``/wp-login.php``, ``/.env``, ``/.git/``, ...): nobody asks for it by mistake.
- A *burst* is ``BURST_THRESHOLD`` or more 401/403/404 answers within one minute: to one
  client where the source knows client addresses (access logs), otherwise to the whole
  service in that minute (telemetry keeps no client addresses).
- A *permission change* is an operations-log entry whose kind starts with
  ``PERMISSION_KIND_PREFIX``: a user's role changed, or the API-key set changed.
"""

from __future__ import annotations

import re
from typing import Final

SCANNER_PATTERNS: Final = (
    r"/wp-(?:login|admin|content|includes)",
    r"/xmlrpc\.php",
    r"/\.env",
    r"/\.git/",
    r"/\.aws/",
    r"/phpmyadmin",
    r"/pma/",
    r"/cgi-bin/",
    r"/vendor/phpunit",
    r"/actuator",
    r"/server-status",
    r"/boaform",
    r"/HNAP1",
    r"\.php$",
    r"\.asp$",
    r"\.aspx$",
)
"""Case-insensitive regular expressions searched in a request path."""

_SCANNER = re.compile("|".join(f"(?:{p})" for p in SCANNER_PATTERNS), re.IGNORECASE)

BURST_STATUSES: Final = frozenset({401, 403, 404})
BURST_THRESHOLD: Final = 20
"""Answers of BURST_STATUSES within one minute that make a burst."""

RULE_ID: Final = "scanner-paths+4xx-burst-20/min"
"""The name the report gives this rule set; change it when the rules change."""

PERMISSION_KIND_PREFIX: Final = "permission:"
PERMISSION_USER_ROLE: Final = "permission:user_role"
PERMISSION_API_KEYS: Final = "permission:api_keys"
API_KEYS_BASELINE: Final = "baseline:api_keys"
"""The API-key set at the store's first start: what later sets are compared with, not a
change of permissions (a fresh install has changed nothing)."""


def is_scanner_path(path: str) -> bool:
    """True when ``path`` (no query string) asks for software this service does not run."""
    return _SCANNER.search(path) is not None
