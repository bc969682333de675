"""The report's one number formatter: every renderer writes a figure through these rules.

The composer (report.fmt.Fmt, so Markdown, HTML text and PDF) and the HTML charts'
captions and data tables call these functions; no renderer writes its own format
specification. One rule per quantity, as the original 運用報告書 writes it:

- milliseconds: whole ms unless the quantity asks for more ("85ms" in Japanese, "85 ms"
  in English). Sub-millisecond figures (a store call, an endpoint in the appendix) pass
  ``digits``; a chart's data table writes its latencies as the text does.
- percent: no space before the sign ("99.95%"), the decimals the quantity needs
  (availability 3, error rate 2, shares 1, budget 0).
- dollars: two decimals, the sign before the dollar ("-$1.20"); unit costs pass more.
- counts: thousands separated, no decimals ("1,234").
- a change: signed, one decimal ("+3.2%").
- minutes: one decimal; an incident's length in whole minutes.
- a data rate: MB/s, below 1 MB/s KB/s, three significant digits ("0.463 KB/s", not
  "0.001 MB/s").

A figure that is None is the caller's to word (a reason in the text, "no data" in a
chart), so every function here takes a number.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["change", "count", "data_rate", "minutes", "ms", "number", "percent", "usd"]

Lang = Literal["ja", "en"]


def number(value: float, digits: int = 0) -> str:
    """A plain figure with thousands separators: 1,234 / 2.345."""
    return f"{value:,.{digits}f}"


def count(value: int) -> str:
    """Requests, errors, probes: a whole number with thousands separators."""
    return f"{value:,}"


def percent(value: float, digits: int = 1) -> str:
    """99.95% — the sign follows the figure, without a space, in both languages."""
    return f"{value:,.{digits}f}%"


def ms(value: float, lang: Lang, digits: int = 0) -> str:
    """85ms (ja) / 85 ms (en): whole milliseconds unless the quantity asks for more."""
    text = number(value, digits)
    return f"{text}ms" if lang == "ja" else f"{text} ms"


def usd(value: float, digits: int = 2) -> str:
    """$8.45 / -$1.20: the sign before the dollar."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{digits}f}"


def change(value: float) -> str:
    """A month-on-month or week-on-week change: +3.2% / -0.5%."""
    return f"{value:+.1f}%"


def minutes(value: float, digits: int = 1) -> str:
    """12.5 min: minutes with a decimal; an incident's length passes 0."""
    return f"{number(value, digits)} min"


def data_rate(mb_per_s: float) -> str:
    """1.25 MB/s; below 1 MB/s in KB/s (0.463 KB/s, 46.0 KB/s), with the decimals that
    keep three significant digits."""
    value, unit = (mb_per_s, "MB/s") if abs(mb_per_s) >= 1 else (mb_per_s * 1000, "KB/s")
    size = abs(value)
    digits = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3
    return f"{number(value, digits)} {unit}"
