"""Request telemetry: latency sketches, per-minute rollups, resource samples, probes."""
