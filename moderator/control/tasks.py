"""Background tasks the control service owns: strong references, logged failures, one cancel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskSet:
    """Holds every task it starts until done, logs crashes, cancels them all on close."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keyed: dict[str, asyncio.Task[Any]] = {}
        self.closed = False

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
        """Start `coro` now; the set holds it until it finishes."""
        if self.closed:
            coro.close()
            raise RuntimeError("task set is closed")
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def replace(self, key: str, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start `coro` under `key`, cancelling the task that held the key (latest wins)."""
        self.cancel(key)
        task = self.spawn(coro, name=key)
        self._keyed[key] = task
        return task

    def cancel(self, key: str) -> None:
        task = self._keyed.pop(key, None)
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        name = task.get_name()
        if self._keyed.get(name) is task:
            del self._keyed[name]
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", name, exc_info=task.exception())

    async def join(self) -> None:
        """Wait for every task running now (and any they start) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel everything and wait for the cancellations. Idempotent."""
        self.closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._keyed.clear()
