"""One listener primitive for the Qt-free core: connect, disconnect, emit (FeelUOwn's dispatch).

The roster, the door, the callback and recording ingests and the control services announce
their changes through a `Signal`; the UI's bridge re-emits what it needs as Qt signals. A
listener that raises is logged and the others still hear the news: a view's bug must not stop
a callback from being folded or answered. Standard library only, so `domain/` may use it.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Generic, ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class Signal(Generic[P]):
    """Listeners called in the order they connected, each with the emitted arguments.

    `connect(listener, weak=True)` holds a bound method weakly, so an object that is gone
    (a closed window's part) drops out without a disconnect; plain functions and lambdas are
    held strongly. Connecting the same listener twice calls it once.
    """

    def __init__(self, name: str = "signal") -> None:
        self.name = name
        self._slots: list[Callable[P, None] | weakref.WeakMethod[Callable[P, None]]] = []

    def connect(self, listener: Callable[P, None], *, weak: bool = False) -> None:
        if listener in self:
            return
        if weak and hasattr(listener, "__self__"):
            self._slots.append(weakref.WeakMethod(listener))
        else:
            self._slots.append(listener)

    def disconnect(self, listener: Callable[P, None]) -> None:
        """Stop calling `listener`; one that was never connected is ignored."""
        self._slots = [slot for slot in self._slots if self._resolve(slot) != listener]

    def __contains__(self, listener: object) -> bool:
        return any(self._resolve(slot) == listener for slot in self._slots)

    def __len__(self) -> int:
        return sum(1 for slot in self._slots if self._resolve(slot) is not None)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for slot in list(self._slots):
            listener = self._resolve(slot)
            if listener is None:  # a weakly held object is gone
                self._slots = [other for other in self._slots if other is not slot]
                continue
            try:
                listener(*args, **kwargs)
            except Exception:
                log.exception("a listener of %s failed", self.name)

    @staticmethod
    def _resolve(
        slot: Callable[P, None] | weakref.WeakMethod[Callable[P, None]],
    ) -> Callable[P, None] | None:
        if isinstance(slot, weakref.WeakMethod):
            return slot()
        return slot
