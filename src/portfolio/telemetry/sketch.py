"""The latency sketch's old address, kept while report/ (split separately) still uses it.

The sketch is a leaf value type the store keeps, so it lives below the store, in
``portfolio.sketch``; import it from there.
"""

from portfolio.sketch import RELATIVE_ACCURACY, LatencySketch

__all__ = ["RELATIVE_ACCURACY", "LatencySketch"]
