"""Report sources: where the figures of a report come from (local store, logs, AWS)."""
