"""Costs: the dated price table and the estimator over a usage profile."""

from portfolio.costs.estimator import (
    TAX_NOTE,
    Architecture,
    CostEstimate,
    CostLine,
    UsageProfile,
    compare,
    estimate,
)
from portfolio.costs.prices import Price, PriceTable, load_prices, parse_prices

__all__ = [
    "TAX_NOTE",
    "Architecture",
    "CostEstimate",
    "CostLine",
    "Price",
    "PriceTable",
    "UsageProfile",
    "compare",
    "designs",
    "estimate",
    "estimator",
    "load_prices",
    "parse_prices",
]
