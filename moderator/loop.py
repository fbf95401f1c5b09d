"""The console's event loop: qasync's, with asyncio's ready queue for call_soon.

qasync runs every `call_soon` callback from a Qt timer of its own (startTimer(0), a timer
event, killTimer): a callback costs three trips through Qt. Socket readiness and finished
futures are call_soon callbacks, so under load most of the loop's time went there. Here they
wait in one queue that a single zero-interval timer drains, as asyncio's own loop does: the
callbacks queued before a pass run in that pass, the ones they queue run in the next, so Qt
events (input, paints) still get their turn between passes. A pass also ends after PASS_BUDGET
seconds (the rest wait, in order, for the next one): with sixteen webhook requests ready at
once a pass took 40-60 ms, and a click or key press waited that long. Delayed callbacks
(call_later, call_at) keep qasync's timers.

The default executor (`run_in_executor(None, ...)`, `asyncio.to_thread`, aiohttp's DNS lookups)
is a plain thread pool, not qasync's QThreadExecutor: a QThread that is still running when it is
garbage-collected aborts the process ("QThread: Destroyed while thread is still running"), which
is what happens at interpreter exit to a loop that was never closed. Python's pool threads are
joined at exit instead.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import qasync
from PySide6.QtCore import QTimer

PASS_BUDGET = 0.008  # seconds of callbacks in one pass before Qt gets its turn


class ConsoleEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync.QEventLoop whose call_soon callbacks run in batches from one Qt timer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._ready: deque[asyncio.Handle] = deque()
        self._ready_timer = QTimer()
        self._ready_timer.setSingleShot(True)
        self._ready_timer.setInterval(0)
        self._ready_timer.timeout.connect(self._run_ready)
        super().__init__(*args, **kwargs)
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="loop-executor")
        self.set_default_executor(self.executor)

    def call_soon(
        self,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        self._check_closed()
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready.append(handle)
        if not self._ready_timer.isActive():
            self._ready_timer.start()
        return handle

    def _run_ready(self) -> None:
        until = time.monotonic() + PASS_BUDGET
        for _ in range(len(self._ready)):  # not the ones these queue: Qt gets a turn first
            handle = self._ready.popleft()
            if not handle._cancelled:
                handle._run()
                if time.monotonic() > until:
                    break
        if self._ready:
            self._ready_timer.start()

    def close(self) -> None:
        self._ready_timer.stop()
        self._ready.clear()
        super().close()
