"""Store calls from the user routes: local reads on the event loop, the rest in the pool."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import anyio
import pytest

from portfolio.api import offload
from portfolio.store.protocols import Store


@dataclass
class _Backend:
    backend: str


def _thread() -> int:
    return threading.get_ident()


async def _where(call: str, backend: str) -> bool:
    """Whether the call ran on the event loop's own thread."""
    loop_thread = threading.get_ident()
    store: Store = _Backend(backend)  # type: ignore[assignment]
    if call == "read":
        ran_on = await offload.read(store, _thread)
    else:
        ran_on = await offload.write(_thread)
    return ran_on == loop_thread


@pytest.mark.parametrize(
    ("call", "backend", "inline"),
    [
        ("read", "sqlite", True),
        ("read", "dynamodb", False),  # the network can stall: never on the event loop
        ("write", "sqlite", False),  # the write lock can wait up to the busy timeout
        ("write", "dynamodb", False),
    ],
)
def test_only_local_reads_run_inline(call: str, backend: str, inline: bool) -> None:
    assert anyio.run(_where, call, backend) is inline


def test_arguments_and_errors_pass_through() -> None:
    def fail(value: int, *, by: int) -> int:
        raise ValueError(value + by)

    async def both() -> None:
        store: Store = _Backend("dynamodb")  # type: ignore[assignment]
        assert await offload.read(store, divmod, 7, 2) == (3, 1)
        with pytest.raises(ValueError, match="5"):
            await offload.write(fail, 2, by=3)

    anyio.run(both)
