"""The one Qt object through which roster changes and user messages reach the views."""

from __future__ import annotations

import time
from math import ceil

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from moderator.domain.events import ConferenceEvent
from moderator.domain.roster import Change, Roster

FRAME = 1 / 60  # seconds: the views hear of changes about as often as a display shows, at most
BURST = 4.0  # batches a quiet console may deliver at once (a click, a number looked up)
SLOWEST_FRAME = 0.05  # under load batches grow, but a change still shows within this
VIEW_SHARE = 0.1  # under load, at most this share of the time goes to the views' batches
# Under load: the last batch held more callbacks than this (they come faster than frames).
LOADED_BATCH = 1


class RosterBridge(QObject):
    """Re-emits the roster's changes and the callbacks as Qt signals, in batches.

    A change that finds the console quiet goes out on the next pass of the event loop, however
    recently the last batch went: batches are paced by credit, one batch's worth per display
    frame, up to BURST in hand. At 50 callbacks a second (and the host's clicks, callers'
    numbers looked up) the credit rarely runs out, so a callback that arrives a few ms after
    another batch does not wait for the next frame, nor start a train of late batches (with
    one batch a frame, each waited for the one before it: up to 16 ms, the callbacks after it
    behind it). However fast callbacks come, the models change (and the window repaints) about
    60 times a second at most, and the event log appends a batch at a time. Under load (the
    last batch held more than LOADED_BATCH callbacks) the frame stretches so that the views
    take at most VIEW_SHARE of the time, up to SLOWEST_FRAME: the server keeps up. The
    window's repaints count too (`note_paint`, all of them since the last batch: the log's,
    the scroll bar's and the clock's as well as the batch's own): they cost more than the models.
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
        self._credit = BURST  # batches that may go at once (one more each FRAME, up to BURST)
        self._credit_at = time.monotonic()
        self.frame = FRAME  # the interval between batches under load
        self._painting = 0.0  # seconds the window's repaints took since the last batch
        self._last_batch = 0  # callbacks in the last batch
        self.flush_timer = QTimer(self)  # the next batch's flush (its interval: the wait now)
        self.flush_timer.setSingleShot(True)
        # a coarse timer may fire up to 5% early, before the credit is back
        self.flush_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.flush_timer.timeout.connect(self.flush)
        self._scheduled = False  # the flush timer runs (kept here, read at every callback)
        roster.changed.connect(self._on_changes)

    def _on_changes(self, changes: list[Change]) -> None:
        self._changes.extend(changes)
        self._schedule()

    def on_event(self, event: ConferenceEvent) -> None:
        self._events.append(event)
        self._schedule()

    def _schedule(self) -> None:
        if self._scheduled:  # not asked of the timer: this runs for every callback
            return
        self._scheduled = True
        now = time.monotonic()
        if self._last_batch > LOADED_BATCH:  # under load: the stretched frame
            wait = self.frame - (now - self._last_flush)
        else:  # quiet: at once while there is credit, else when a batch's worth is back
            wait = (1.0 - self._refill(now)) * FRAME
        self.flush_timer.start(max(0, ceil(wait * 1000 - 1e-6)))  # never early: whole ms

    def _refill(self, now: float) -> float:
        self._credit = min(BURST, self._credit + (now - self._credit_at) / FRAME)
        self._credit_at = now
        return self._credit

    def flush(self) -> None:
        """Deliver what is waiting now (the timer calls this; tests may too)."""
        self.flush_timer.stop()
        self._scheduled = False
        self._last_flush = time.monotonic()
        self._credit = max(0.0, self._refill(self._last_flush) - 1.0)
        changes, self._changes = self._changes, []
        events, self._events = self._events, []
        self._last_batch = len(events)
        if changes:
            self.changed.emit(changes)
        if events:
            self.events_received.emit(events)
        took = time.monotonic() - self._last_flush + self._painting  # + the repaints since the last
        self._painting = 0.0
        self.frame = min(SLOWEST_FRAME, max(FRAME, took / VIEW_SHARE))

    def note_paint(self, seconds: float) -> None:
        """The window repainted in `seconds`: counted with the next batch's handling."""
        self._painting += seconds

    def detach(self) -> None:
        self.flush_timer.stop()
        self._scheduled = False
        self.roster.changed.disconnect(self._on_changes)
