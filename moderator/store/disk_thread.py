"""The journal's writer thread: SQLite writes run here in order, never on the loop's thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_Job = tuple[Callable[[], Any], "Future[Any]"]


class DiskThread:
    """One daemon thread that runs write jobs first in, first out.

    A frozen or locked disk blocks this thread only: the window keeps repainting and the webhook
    server keeps answering. Daemon, so a write stuck in the kernel cannot keep the process from
    exiting once `close` has waited as long as it may.
    """

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._queued = 0  # submitted and not finished
        self._busy_since: float | None = None  # time.monotonic() when the current job started
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], _T]) -> Future[_T]:
        """Queue `job`; its Future holds what it returned or raised."""
        future: Future[_T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the journal's writer thread is closed")
            self._queued += 1
        self._jobs.put((job, future))
        return future

    @property
    def queued(self) -> int:
        """Jobs submitted and not yet finished (the one running included)."""
        return self._queued

    def stalled_for(self) -> float:
        """Seconds the running job has taken so far; 0.0 when the thread is idle."""
        started = self._busy_since
        return 0.0 if started is None else max(0.0, time.monotonic() - started)

    def close(self, timeout: float) -> bool:
        """Finish the queued jobs, waiting at most `timeout` seconds; False if some never ran."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._jobs.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while (entry := self._jobs.get()) is not None:
            job, future = entry
            result: Any = None
            error: BaseException | None = None
            run = future.set_running_or_notify_cancel()  # False: its awaiter gave up
            self._busy_since = time.monotonic()
            try:
                if run:
                    result = job()
            except BaseException as exc:  # handed to whoever awaits the future
                error = exc
            finally:
                # idle again before anyone hears the result: /healthz must not lag behind
                self._busy_since = None
                with self._lock:
                    self._queued -= 1
            if not run:
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
