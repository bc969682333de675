"""The garbage collector for a command's own process, which starts, works and ends.

A command imports typer, pydantic, NumPy, DuckDB and its own modules; their objects
(classes, pydantic's schemas, module dicts) live until the process ends, yet CPython's
collector walks every one of them again at each full collection and once more at exit.
Measured: a monthly report spent 0.13 s of 0.85 s in 650 collections (0.09 s with the
imports frozen), and `logs summary` 40-50 ms of about 1.1 s in the collection at exit.

So the process entry (``cli.main.main``) arms this: once a command's modules are
imported they are frozen (``gc.freeze``: kept, never walked again), and at the end
everything left is frozen, so the exit does not walk it. Only the entry arms it: tests
that run many commands in one interpreter keep collecting their garbage as usual.
Files and connections are closed by their commands, never left to the collector.
"""

from __future__ import annotations

import gc

_armed = False


def arm() -> None:
    """This interpreter runs one command and ends: freeze what lives until then."""
    global _armed
    _armed = True


def imports_done() -> None:
    """The command's modules are imported: out of the collector's way, if armed."""
    if _armed:
        gc.freeze()


def exiting() -> None:
    """The command is done: the exit need not walk what is left, if armed."""
    if _armed:
        gc.freeze()
