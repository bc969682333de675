"""A minimal Chrome DevTools Protocol client over Chromium's ``--remote-debugging-pipe``.

Why not Playwright: the report's PDF is printed in the API's container image and by
`make demo`, neither of which installs the test tools; Chromium's own pipe needs no
driver, no port and no dependency. Messages are JSON objects ended by a NUL byte:
Chromium reads them on its fd 3 and writes on its fd 4.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import subprocess
import time
from collections.abc import Sequence
from typing import IO, Any

from portfolio.errors import RenderError

Message = dict[str, Any]

_FIRST_FREE_FD = 5
"""Chromium's ends of the pipes are kept at or above this, so moving them onto 3 and 4
in the child never overwrites one with the other."""


class DevToolsPipe:
    """One browser process and the protocol session with it, closed by ``close()``."""

    def __init__(self, args: Sequence[str], *, stderr: IO[bytes], deadline: float) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # Every descriptor Python opens is close-on-exec (PEP 446), these copies too;
        # dup2 onto 3 and 4 clears the flag on just those two in the child.
        child_in = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, _FIRST_FREE_FD)
        child_out = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, _FIRST_FREE_FD)
        os.close(to_child_r)
        os.close(from_child_w)

        def wire_fds() -> None:  # runs in the child, before exec
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        try:
            # Our own flags and paths; no shell is involved.
            self.process = subprocess.Popen(  # noqa: S603
                [*args, "--remote-debugging-pipe"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                close_fds=False,  # see above: only 3 and 4 are inherited
                preexec_fn=wire_fds,  # safe: the report starts no threads while printing
            )
        finally:
            os.close(child_in)
            os.close(child_out)
        self._writer = os.fdopen(to_child_w, "wb")
        self._reader = from_child_r
        self._buffer = b""
        self._next_id = 0
        self._results: dict[int, Message] = {}
        self._events: list[Message] = []
        self.deadline = deadline

    def send(self, method: str, params: Message | None = None, session: str | None = None) -> int:
        """Send a command; its id, for ``result``."""
        self._next_id += 1
        message: Message = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        self._writer.write(json.dumps(message).encode() + b"\0")
        self._writer.flush()
        return self._next_id

    def result(self, command_id: int) -> Message:
        """The command's result; RenderError when the browser answered with an error."""
        while command_id not in self._results:
            self._read()
        answer = self._results.pop(command_id)
        if "error" in answer:
            raise RenderError(f"Chromium: {answer['error'].get('message', answer['error'])}")
        result: Message = answer.get("result", {})
        return result

    def call(
        self, method: str, params: Message | None = None, session: str | None = None
    ) -> Message:
        return self.result(self.send(method, params, session))

    def event(self, method: str, session: str) -> Message:
        """The next event of that name from that session (waiting for it if need be)."""
        while True:
            for index, event in enumerate(self._events):
                if event.get("method") == method and event.get("sessionId") == session:
                    del self._events[index]
                    params: Message = event.get("params", {})
                    return params
            self._read()

    def _read(self) -> None:
        """Read at least one whole message, filing it as a result or an event."""
        while b"\0" not in self._buffer:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise RenderError("Chromium did not answer in time")
            ready, _, _ = select.select([self._reader], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._reader, 1 << 20)
            if not chunk:
                raise RenderError(f"Chromium exited (code {self.process.poll()})")
            self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        for raw in messages:
            message = json.loads(raw)
            if "id" in message:
                self._results[message["id"]] = message
            else:
                self._events.append(message)

    def close(self) -> None:
        """Ask the browser to quit, then make sure it has."""
        with contextlib.suppress(OSError):  # it is gone already
            self.send("Browser.close")
        try:
            self.process.wait(timeout=max(1.0, min(10.0, self.deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            self._writer.close()
            os.close(self._reader)
