"""Words added since the original's catalogue (labels.py): KPI bounds and units, the
operator's plan, the data store's kind, the demo's comparison with the original.

Merged into render.text.TEXT like labels.py, so ``t(lang, key)`` finds them and the
test that both languages hold the same keys covers them too.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "ja": {
        "ge": "{value}以上",
        "per_request": "{value}/req",
    },
    "en": {
        "ge": "≥ {value}",
        "per_request": "{value}/req",
    },
}
