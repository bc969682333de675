"""Request telemetry: latency sketches, per-minute rollups, resource samples, probes."""

__all__ = [
    "bulk",
    "logs",
    "outages",
    "percentiles",
    "prober",
    "query",
    "recorder",
    "sampler",
    "sketch",
    "spool",
    "status",
    "totals",
]
