"""The one poll-until of the async tests: wait on the event loop until a check holds.

Tests wait for what a console, the simulator or a child process does on its own time; the check
is polled (a few ms apart, the loop runs meanwhile) and the timeout only bounds a failure.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def poll_until(
    check: Callable[[], Any] | Callable[[], Awaitable[Any]],
    what: str = "the check",
    *,
    timeout: float = 10.0,
    interval: float = 0.005,
    detail: Callable[[], object] | None = None,
    gone: Callable[[], bool] | None = None,
) -> None:
    """Until `check()` (or its awaited result) is truthy. Past `timeout` seconds, or once
    `gone()` says what is watched has ended (a child process exited), fail naming `what` and
    `detail()` (what the console showed, the simulator received, ...)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline or (gone is not None and gone()):
            extra = f"; {detail()}" if detail is not None else ""
            raise AssertionError(f"timed out waiting for {what}{extra}")
        await asyncio.sleep(interval)
