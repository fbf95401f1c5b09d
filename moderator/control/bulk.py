"""Bulk actions: many participant actions with a bounded number of REST calls in flight."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from moderator.control.results import ActionResult, BulkResult
from moderator.messages import Level

log = logging.getLogger(__name__)
T = TypeVar("T")


async def bounded(
    items: Sequence[T], worker: Callable[[T], Awaitable[ActionResult]], concurrency: int
) -> list[ActionResult]:
    """Run `worker` on every item, at most `concurrency` at a time; results in item order.

    A fixed pool of workers pulling from a shared iterator (rather than one task per item
    behind a semaphore) keeps exactly `concurrency` requests busy without 249 idle tasks.
    """
    results: list[ActionResult | None] = [None] * len(items)
    queue = iter(range(len(items)))

    async def pump() -> None:
        for index in queue:
            results[index] = await worker(items[index])

    workers = max(1, min(concurrency, len(items)))
    tasks = [asyncio.ensure_future(pump()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    finally:  # a failing or cancelled bulk must not leave workers sending on their own
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [r if r is not None else ActionResult(False, "not sent") for r in results]


def tally(names: Sequence[str], results: Sequence[ActionResult]) -> BulkResult:
    """A BulkResult naming each participant whose action failed and why."""
    failed = tuple(
        (name, result.message or "failed")
        for name, result in zip(names, results, strict=True)
        if not result.ok
    )
    return BulkResult(attempted=len(results), failed=failed)


def summary(verb: str, where: str, result: BulkResult) -> tuple[Level, str]:
    """(level, text) for the host: "Muted 247 of 249 in TeamMeeting; 2 failed: Bob (…), …"."""
    if result.attempted == 0:
        return Level.INFO, f"Nobody to {verb.lower()} in {where}"
    done = f"{verb}ed" if not verb.endswith("e") else f"{verb}d"
    head = f"{done} {result.succeeded} of {result.attempted} in {where}"
    if not result.failed:
        return Level.INFO, head
    shown = "; ".join(f"{name} ({_reason(message)})" for name, message in result.failed[:5])
    more = f" and {len(result.failed) - 5} more" if len(result.failed) > 5 else ""
    return Level.ERROR, f"{head}; {len(result.failed)} failed: {shown}{more}"


def _reason(message: str) -> str:
    """The part after "Could not mute Bob: "."""
    return message.split(": ", 1)[1] if ": " in message else message
