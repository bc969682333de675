"""Gate counts kept by what the gate read: the same tool over the same files says the same.

cfn-lint and checkov are static analysers: given the same executable, configuration
and templates they report the same findings. A scan takes tens of seconds (checkov
alone ~20 s of CPU for both designs), and the demo, each simulated month's security
check and the monthly ``--iac-scan`` all scan templates that rarely change. So the
counts are kept in the cache folder under a hash of everything the run reads — the
tool's executable (its bytes and modification time, so an upgrade in place misses),
the arguments with each input file's name and content — and read back on a hit.
A missing, unreadable or corrupt entry is a miss: the tool runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from portfolio.checks.template import cache_dir

Counts = tuple[int, int]


def gate_key(tool: Path, inputs: Sequence[Path], args: Sequence[str] = ()) -> str:
    """A hash of what a run of ``tool`` over ``inputs`` depends on.

    Inputs count by position, file name and content, not folder: the same templates
    synthesized into another folder are the same scan.
    """
    digest = hashlib.sha256()
    stat = tool.stat()
    digest.update(tool.read_bytes())
    digest.update(f"{stat.st_mtime_ns}\0".encode())
    for arg in args:
        digest.update(f"arg\0{arg}\0".encode())
    for path in inputs:
        digest.update(f"file\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def cached_counts(
    tool: Path, inputs: Sequence[Path], run: Callable[[], Counts], *, args: Sequence[str] = ()
) -> Counts:
    """``run()``'s counts, from the cache when the same tool read the same inputs before."""
    entry = cache_dir() / "gates" / f"{tool.name}-{gate_key(tool, inputs, args)}.json"
    try:
        first, second = json.loads(entry.read_text(encoding="utf-8"))["counts"]
        return int(first), int(second)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    counts = run()
    _publish(entry, {"tool": str(tool), "counts": list(counts)})
    return counts


def _publish(entry: Path, value: object) -> None:
    """Write ``entry`` whole or not at all: workers scanning at once never read half a file."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, staging = tempfile.mkstemp(prefix=f"{entry.name}.", dir=entry.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(value, out)
        os.replace(staging, entry)
    except OSError:
        return  # an unwritable cache costs the next run its time, never its result
