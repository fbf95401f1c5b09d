"""One way for every layer to tell the host something: a level and one sink (qutebrowser's
`utils/message.py`).

Control, setup and the app send through a `Messages` hub (or any `Sink`); the window connects
the hub's one sink when it is shown. What is sent before that (a repaired journal, a bad
address book, a start-up failure) is held and delivered at connect, so no start-up message is
lost. "The user's world is wrong" goes here; a bug goes to the crash dialog instead.
Standard library only, so every layer may use it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from enum import Enum

log = logging.getLogger(__name__)

HELD = 200  # messages kept until a window connects; older ones are dropped (they were logged)


class Level(str, Enum):
    """How the status bar and the event log show a message."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


Sink = Callable[[Level, str], None]


def quiet(level: Level, text: str) -> None:
    """A sink that drops the message (services log their messages themselves)."""


class Messages:
    """The hub: `send` from anywhere; the window `connect`s the one sink."""

    def __init__(self) -> None:
        self._sink: Sink | None = None
        self._held: deque[tuple[Level, str]] = deque(maxlen=HELD)

    def connect(self, sink: Sink) -> None:
        """Deliver held messages to `sink`, then every later one."""
        self._sink = sink
        while self._held:
            self._deliver(*self._held.popleft())

    def disconnect(self) -> None:
        """Hold messages again (the window is closing)."""
        self._sink = None

    def send(self, level: Level, text: str) -> None:
        if self._sink is None:
            self._held.append((level, text))
        else:
            self._deliver(level, text)

    def info(self, text: str) -> None:
        self.send(Level.INFO, text)

    def warning(self, text: str) -> None:
        self.send(Level.WARNING, text)

    def error(self, text: str) -> None:
        self.send(Level.ERROR, text)

    @property
    def held(self) -> list[tuple[Level, str]]:
        return list(self._held)

    def _deliver(self, level: Level, text: str) -> None:
        assert self._sink is not None
        try:
            self._sink(level, text)
        except Exception:
            log.exception("the message sink failed on %r", text)
