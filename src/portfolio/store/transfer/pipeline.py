"""One loop for export, import and copy: pages from a source into a sink, checkpointed.

A source lists records page by page with a cursor (a store's ``export_page``, or the
lines of a validated export file); a sink takes them (a store's ``put_records``, or
an export file being written). After each page the sink's position and the source's
cursor are saved in a checkpoint file, atomically, so a run that is killed resumes
after the last page it finished: putting a page again changes nothing, so the page
in flight when it stopped is simply put again. The checkpoint goes when the run
completes, and the count of each kind is then checked on both sides.

An export file is written under ``<name>.partial`` and renamed when complete: a
half-written export is never where the finished one would be.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

import orjson

from portfolio.errors import StoreError
from portfolio.store.kinds import Cursor, Entry, Kind, Page, PutResult, TimeRange
from portfolio.store.protocols import Store
from portfolio.store.transfer import jsonl

PAGE = 1000
"""Records a page: a checkpoint every page, so at most one page is put twice."""


class Source(Protocol):
    name: str

    def counts(self) -> dict[Kind, int]: ...

    def pages(self, after: Cursor | None) -> Iterator[Page]: ...


class Sink(Protocol):
    name: str

    def start(self, position: object) -> None:
        """Begin, or resume at a position ``position()`` returned (None: from nothing)."""

    def write(self, entries: list[Entry]) -> PutResult: ...

    def position(self) -> object: ...

    def finish(self, counts: dict[Kind, int]) -> dict[Kind, int]:
        """Complete the sink; the count of each kind it now holds (the other side)."""
        ...


@dataclass
class StoreSource:
    store: Store
    span: TimeRange
    name: str

    def counts(self) -> dict[Kind, int]:
        return self.store.count_records(self.span)

    def pages(self, after: Cursor | None) -> Iterator[Page]:
        cursor = after
        while True:
            page = self.store.export_page(self.span, cursor, limit=PAGE)
            yield page
            if page.cursor is None:
                return
            cursor = page.cursor


@dataclass
class FileSource:
    """A validated export file: every line is read once before anything is put."""

    path: Path
    name: str = ""
    span: TimeRange = field(default_factory=TimeRange)
    _counts: dict[Kind, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.name = self.name or f"file:{self.path}"
        _, self.span, self._counts = jsonl.validate(self.path)

    def counts(self) -> dict[Kind, int]:
        return dict(self._counts)

    def pages(self, after: Cursor | None) -> Iterator[Page]:
        start = int(str(after["line"])) if after else 1
        with self.path.open("rb") as stream:
            jsonl.read_header(self.path, stream)
            batch: list[Entry] = []
            number = start
            for number, entry in jsonl.entries(self.path, stream, after_line=start):
                batch.append(entry)
                if len(batch) == PAGE:
                    yield Page(batch, {"line": number})
                    batch = []
            yield Page(batch, None)


@dataclass
class StoreSink:
    store: Store
    span: TimeRange
    name: str

    def start(self, position: object) -> None:
        pass

    def write(self, entries: list[Entry]) -> PutResult:
        return self.store.put_records(entries)

    def position(self) -> object:
        return None

    def finish(self, counts: dict[Kind, int]) -> dict[Kind, int]:
        return self.store.count_records(self.span)


@dataclass
class FileSink:
    """An export file, written to ``<path>.partial`` and renamed when complete."""

    path: Path
    source: str
    span: TimeRange
    name: str = ""
    _stream: IO[bytes] | None = None

    def __post_init__(self) -> None:
        self.name = self.name or f"file:{self.path}"
        self.partial = self.path.with_name(self.path.name + ".partial")

    def start(self, position: object) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(position, int) and self.partial.exists():
            self._stream = self.partial.open("r+b")
            self._stream.truncate(position)  # what followed the checkpoint is written again
            self._stream.seek(position)
            return
        self._stream = self.partial.open("wb")
        self._stream.write(jsonl.header_line(self.source, self.span, datetime.now(UTC)))

    def write(self, entries: list[Entry]) -> PutResult:
        assert self._stream is not None  # noqa: S101 - start() comes first
        self._stream.write(b"".join(jsonl.record_line(k, r) for k, r in entries))
        return PutResult()

    def position(self) -> object:
        assert self._stream is not None  # noqa: S101
        self._stream.flush()
        os.fsync(self._stream.fileno())
        return self._stream.tell()

    def finish(self, counts: dict[Kind, int]) -> dict[Kind, int]:
        assert self._stream is not None  # noqa: S101
        self._stream.write(jsonl.end_line(counts))
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()
        os.replace(self.partial, self.path)
        return jsonl.validate(self.path)[2]  # the file as an import will read it


@dataclass
class Outcome:
    """What a run did: the counts on both sides, what it wrote, retries, time."""

    source: dict[Kind, int]
    target: dict[Kind, int]
    written: dict[Kind, int]
    retries: int = 0
    capacity_units: float = 0.0
    seconds: float = 0.0
    resumed: bool = False
    expired: int = 0
    """Records the target stored past its retention (DynamoDB deletes them soon)."""

    @property
    def records(self) -> int:
        return sum(self.written.values())

    def shortfalls(self) -> list[str]:
        """Kinds the target holds fewer of than the source: the run is not complete."""
        return [
            f"{kind.value}: {self.source[kind]} in the source,"
            f" {self.target.get(kind, 0)} in the target"
            for kind in Kind
            if self.target.get(kind, 0) < self.source.get(kind, 0)
        ]


class Checkpoint:
    """The saved progress of one run (source, sink and range) in one JSON file."""

    def __init__(self, directory: Path, source: str, sink: str, span: TimeRange) -> None:
        job = orjson.dumps([source, sink, span.start, span.end])
        self.path = directory / f"{hashlib.sha256(job).hexdigest()[:16]}.json"
        self.job = job.decode()

    def load(self) -> dict[str, object] | None:
        if not self.path.exists():
            return None
        saved = orjson.loads(self.path.read_bytes())
        return saved if isinstance(saved, dict) and saved.get("job") == self.job else None

    def prepare(self) -> None:
        """Make the checkpoints' directory, before the sink writes anything: a directory
        that cannot be made stops the run with no ``.partial`` file left behind."""
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def save(self, state: dict[str, object]) -> None:
        scratch = self.path.with_suffix(".tmp")
        with scratch.open("wb") as out:
            out.write(orjson.dumps({"job": self.job, **state}))
            out.flush()
            os.fsync(out.fileno())
        os.replace(scratch, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


Progress = Callable[[int, int], None]
"""Called after each page with (records done, records expected)."""


def run(source: Source, sink: Sink, checkpoint: Checkpoint, progress: Progress) -> Outcome:
    """Move every record of ``source`` into ``sink``, resuming a saved run; check the counts.

    StoreError when the target ends with fewer records of a kind than the source holds.
    """
    started = time.perf_counter()
    expected = source.counts()
    saved = checkpoint.load()
    written: dict[Kind, int] = {}
    cursor: Cursor | None = None
    retries, units, expired = 0, 0.0, 0
    if saved is not None:
        cursor = saved["cursor"]  # type: ignore[assignment]
        written = {Kind(k): int(n) for k, n in saved["written"].items()}  # type: ignore[attr-defined]
        retries, units = int(str(saved["retries"])), float(str(saved["units"]))
        expired = int(str(saved.get("expired", 0)))
    checkpoint.prepare()
    sink.start(None if saved is None else saved["sink"])
    total = sum(expected.values())
    progress(sum(written.values()), total)
    for page in source.pages(cursor):
        if page.entries:
            put = sink.write(page.entries)
            retries, units = retries + put.retries, units + put.capacity_units
            expired += put.expired
            for kind, _ in page.entries:
                written[kind] = written.get(kind, 0) + 1
        if page.cursor is not None:
            checkpoint.save({
                "cursor": page.cursor, "sink": sink.position(), "retries": retries,
                "units": units, "expired": expired,
                "written": {k.value: n for k, n in written.items()},
            })  # fmt: skip
        progress(sum(written.values()), total)
    target = sink.finish(written)
    checkpoint.clear()
    seconds = time.perf_counter() - started
    outcome = Outcome(
        expected, target, written, retries, units, seconds, saved is not None, expired
    )
    if outcome.shortfalls():
        raise StoreError(
            f"{sink.name} is missing records after the transfer: {'; '.join(outcome.shortfalls())}"
        )
    return outcome
