"""The one Qt object through which roster changes and user messages reach the views."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from moderator.domain.events import ConferenceEvent
from moderator.domain.roster import Change, Roster


class RosterBridge(QObject):
    """Re-emits the roster's changes and every callback as Qt signals (same thread, direct)."""

    changed = Signal(list)  # list[Change]
    event_received = Signal(object)  # ConferenceEvent
    message = Signal(str, str)  # level ("info", "error"), text for the status bar and event log

    def __init__(self, roster: Roster, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.roster = roster
        roster.subscribe(self._on_changes)

    def _on_changes(self, changes: list[Change]) -> None:
        self.changed.emit(changes)

    def on_event(self, event: ConferenceEvent) -> None:
        self.event_received.emit(event)

    def detach(self) -> None:
        self.roster.unsubscribe(self._on_changes)
