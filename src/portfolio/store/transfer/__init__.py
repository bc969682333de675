"""Export, import and copy between stores (SQLite file, DynamoDB): one loop, checkpointed.

``jsonl`` is the export file's format, ``pipeline`` moves pages from a source to a
sink and checks the counts, ``stores`` opens the stores the command line names.
"""

from __future__ import annotations

from portfolio.store.transfer.jsonl import SCHEMA_VERSION, BadExportError
from portfolio.store.transfer.pipeline import (
    Checkpoint,
    FileSink,
    FileSource,
    Outcome,
    StoreSink,
    StoreSource,
    run,
)
from portfolio.store.transfer.stores import SPEC_HELP, open_spec, settings_spec

__all__ = [
    "SCHEMA_VERSION",
    "SPEC_HELP",
    "BadExportError",
    "Checkpoint",
    "FileSink",
    "FileSource",
    "Outcome",
    "StoreSink",
    "StoreSource",
    "open_spec",
    "pipeline",
    "run",
    "settings_spec",
]
