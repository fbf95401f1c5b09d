"""The one Qt object through which roster changes and user messages reach the views."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from moderator.domain.events import ConferenceEvent
from moderator.domain.roster import Change, Roster

FRAME = 1 / 60  # seconds: the views never hear about changes more often than a display shows
SLOWEST_FRAME = 0.05  # under load batches grow, but a change still shows within this
VIEW_SHARE = 0.1  # under load, at most this share of the time goes to the views' batches
# Under load: the last batch held more callbacks than this (they come faster than frames). Else
# a change goes out in the next display frame, however long the last repaint took: judged by
# the time since the last batch, a lone callback at 50/s after a slow repaint (a busy machine,
# the log's own batch) waited for the stretched frame (p99 30-46 ms).
LOADED_BATCH = 1


class RosterBridge(QObject):
    """Re-emits the roster's changes and the callbacks as Qt signals, in batches.

    Whatever arrives within one display frame is delivered together: the first change after a
    quiet spell goes out on the next pass of the event loop, later ones wait for the end of
    the frame. However fast callbacks come, the models change (and the window repaints) at
    most about 60 times a second, and the event log appends a batch at a time. When handling
    a batch takes long (250 people, a busy machine) the frame stretches so that the views
    take at most VIEW_SHARE of the time, up to SLOWEST_FRAME: the server keeps up. The
    window's repaint after a batch counts too (`note_paint`): it costs more than the models.
    The stretch applies only under load (the last batch held more than LOADED_BATCH
    callbacks): otherwise a change goes out in the next display frame.
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
        self._last_batch = 0  # callbacks in the last batch
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
        wait = (self.frame if self._last_batch > LOADED_BATCH else FRAME) - since
        self.flush_timer.start(max(0, round(wait * 1000)))

    def flush(self) -> None:
        """Deliver what is waiting now (the timer calls this; tests may too)."""
        self.flush_timer.stop()
        self._last_flush = time.monotonic()
        changes, self._changes = self._changes, []
        events, self._events = self._events, []
        self._last_batch = len(events)
        if changes:
            self.changed.emit(changes)
        if events:
            self.events_received.emit(events)
        took = time.monotonic() - self._last_flush + self._painting  # its repaint: the last one
        self._painting = 0.0
        self.frame = min(SLOWEST_FRAME, max(FRAME, took / VIEW_SHARE))

    def note_paint(self, seconds: float) -> None:
        """The window repainted in `seconds`: counted with the next batch's handling."""
        self._painting = seconds

    def detach(self) -> None:
        self.flush_timer.stop()
        self.roster.changed.disconnect(self._on_changes)
