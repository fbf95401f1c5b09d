"""The one Qt object through which roster changes and user messages reach the views."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from moderator.domain.events import ConferenceEvent
from moderator.domain.roster import Change, Roster

FRAME = 1 / 60  # seconds: the views never hear about changes more often than a display shows
SLOWEST_FRAME = 0.05  # under load batches grow, but a change still shows within this
VIEW_SHARE = 0.25  # at most this share of the time goes to the views' handling of batches
# Idle: since the last batch the loop has had at least this many times the views' last cost to
# itself. A change then goes out in the next frame whatever the stretched frame says: a lone
# callback at 50/s waited up to SLOWEST_FRAME behind the last batch's cost (p99 48 ms).
IDLE_RATIO = 2.0


class RosterBridge(QObject):
    """Re-emits the roster's changes and the callbacks as Qt signals, in batches.

    Whatever arrives within one display frame is delivered together: the first change after a
    quiet spell goes out on the next pass of the event loop, later ones wait for the end of
    the frame. However fast callbacks come, the models change (and the window repaints) at
    most about 60 times a second, and the event log appends a batch at a time. When handling
    a batch takes long (250 people, a busy machine) the frame stretches so that the views
    take at most VIEW_SHARE of the time, up to SLOWEST_FRAME: the server keeps up. The
    window's repaint after a batch counts too (`note_paint`): it costs more than the models.
    The stretch applies only under load: a change that finds the loop idle since the last
    batch (IDLE_RATIO times that batch's cost) goes out in the next display frame.
    """

    changed = Signal(list)  # list[Change], in the order the roster made them
    events_received = Signal(list)  # list[ConferenceEvent], in the order they arrived
    message = Signal(str, str)  # level ("info", "error"), text for the status bar and event log

    def __init__(self, roster: Roster, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.roster = roster
        self._changes: list[Change] = []
        self._events: list[ConferenceEvent] = []
        self._last_flush = -FRAME
        self.frame = FRAME  # the current interval between batches
        self._painting = 0.0  # seconds the window's last repaint took
        self._cost = 0.0  # seconds the last batch took the views (its repaint added later)
        self.flush_timer = QTimer(self)  # the next batch's flush (its interval: the wait now)
        self.flush_timer.setSingleShot(True)
        self.flush_timer.timeout.connect(self.flush)
        roster.changed.connect(self._on_changes)

    def _on_changes(self, changes: list[Change]) -> None:
        self._changes.extend(changes)
        self._schedule()

    def on_event(self, event: ConferenceEvent) -> None:
        self._events.append(event)
        self._schedule()

    def _schedule(self) -> None:
        if self.flush_timer.isActive():
            return
        since = time.monotonic() - self._last_flush
        idle = since >= IDLE_RATIO * (self._cost + self._painting)
        wait = (FRAME if idle else self.frame) - since
        self.flush_timer.start(max(0, round(wait * 1000)))

    def flush(self) -> None:
        """Deliver what is waiting now (the timer calls this; tests may too)."""
        self.flush_timer.stop()
        self._last_flush = time.monotonic()
        changes, self._changes = self._changes, []
        events, self._events = self._events, []
        if changes:
            self.changed.emit(changes)
        if events:
            self.events_received.emit(events)
        self._cost = time.monotonic() - self._last_flush
        took = self._cost + self._painting
        self._painting = 0.0
        self.frame = min(SLOWEST_FRAME, max(FRAME, took / VIEW_SHARE))

    def note_paint(self, seconds: float) -> None:
        """The window repainted in `seconds`: counted with the next batch's handling."""
        self._painting = seconds

    def detach(self) -> None:
        self.flush_timer.stop()
        self.roster.changed.disconnect(self._on_changes)
