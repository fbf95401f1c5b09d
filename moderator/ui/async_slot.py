"""qasync's asyncSlot, typed: an async method becomes a Qt slot that runs it as a task."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, cast

import qasync

P = ParamSpec("P")


def async_slot(
    *types: type,
) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, Any]]:
    """Like qasync.asyncSlot(*types), which ships no type information; a failure in the task
    goes to sys.excepthook (the crash dialog), as qasync does."""
    return cast(
        Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, Any]],
        qasync.asyncSlot(*types),
    )
