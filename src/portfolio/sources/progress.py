"""What the log sources show a person while they read: a progress bar over files, warnings.

Both go to stderr so that a command's own output (a table, JSON) stays clean.
The bar is transient and drawn only on a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

_stderr = Console(stderr=True)


@contextmanager
def file_progress(total: int, label: str = "reading logs") -> Iterator[Callable[[int], None]]:
    """A bar over ``total`` files; yields the function that advances it."""
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=_stderr, transient=True, disable=not _stderr.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=total)
        yield lambda done: bar.advance(task, done)


def warn(message: str) -> None:
    _stderr.print(f"warning: {message}", style="yellow", highlight=False, markup=False)
