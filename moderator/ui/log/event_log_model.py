"""The event log: one row per callback or console message, newest last, capped in length."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush

from moderator.domain.events import ConferenceEvent, EventKind
from moderator.domain.names import display_name
from moderator.domain.reasons import reason_words
from moderator.ui.dialogs import wrapped_tip
from moderator.ui.grid.roles import ITEM_FLAGS, Role
from moderator.ui.look import theme
from moderator.ui.plain_text import plain_tip

_Index = QModelIndex | QPersistentModelIndex
NameOf = Callable[[str, str], str | None]  # (conference sid, call sid) -> display name

COLUMNS = ("Time", "Event", "Who", "Conference", "Details")
TIME, EVENT, WHO, CONFERENCE, DETAILS = range(len(COLUMNS))
MESSAGE_KIND = "message"
# Callbacks reach the log at most this often: the table repaints its rows at every insertion
# (about 10 ms for a screenful), which at display rate took more time than the tiles.
LOG_BATCH_MS = 250

_WORDS = {
    EventKind.CONFERENCE_START: "Conference started",
    EventKind.CONFERENCE_END: "Conference ended",
    EventKind.PARTICIPANT_JOIN: "Joined",
    EventKind.PARTICIPANT_LEAVE: "Left",
    EventKind.PARTICIPANT_MUTE: "Muted",
    EventKind.PARTICIPANT_UNMUTE: "Unmuted",
    EventKind.PARTICIPANT_HOLD: "On hold",
    EventKind.PARTICIPANT_UNHOLD: "Off hold",
    EventKind.PARTICIPANT_MODIFY: "Modified",
    EventKind.SPEECH_START: "Started speaking",
    EventKind.SPEECH_STOP: "Stopped speaking",
    EventKind.ANNOUNCEMENT_END: "Announcement played",
    EventKind.ANNOUNCEMENT_FAIL: "Announcement failed",
}


@dataclass(frozen=True)
class LogEntry:
    """One line of the log."""

    at: datetime
    event: str
    who: str = ""
    conference: str = ""
    details: str = ""
    kind: str = MESSAGE_KIND  # the callback's StatusCallbackEvent, or "message"
    level: str = "info"


def entry_for_event(event: ConferenceEvent, name_of: NameOf) -> LogEntry:
    """How a callback reads in the log."""
    who = ""
    if event.call_sid is not None:
        who = name_of(event.conference_sid, event.call_sid) or display_name(label=event.label)
    details = []
    if event.reason:
        ending = event.call_sid_ending_conference
        ender = name_of(event.conference_sid, ending) if ending else None
        details.append(reason_words(event.reason, ender))
    coached = event.call_sid_to_coach
    if event.kind is EventKind.PARTICIPANT_MODIFY and event.coaching and coached:
        # Twilio confirms a whisper: say to whom, as the tiles do
        details.append(f"whispers to {name_of(event.conference_sid, coached) or 'someone'}")
    level = "error" if event.kind is EventKind.ANNOUNCEMENT_FAIL else "info"
    return LogEntry(
        at=event.timestamp,
        event=_WORDS.get(event.kind, event.name),
        who=who,
        conference=event.friendly_name or event.conference_sid,
        details="  ".join(details),
        kind=event.kind.value if event.kind is not EventKind.UNKNOWN else event.name,
        level=level,
    )


def full_text(entry: LogEntry) -> str:
    """Every field of a line, one per line (the details view and Copy)."""
    local = entry.at.astimezone().isoformat(timespec="seconds")
    fields = (
        ("Time", local),
        ("Event", entry.event),
        ("Who", entry.who),
        ("Conference", entry.conference),
        ("Details", entry.details),
    )
    return "\n".join(f"{name}: {value}" for name, value in fields if value)


class EventLogModel(QAbstractTableModel):
    """Append-only rows; the oldest are dropped past `limit` (beginRemoveRows, never a reset).

    `queue` collects lines and inserts them every LOG_BATCH_MS in one insertion; `append` and
    `extend` insert at once (after whatever is queued, so the order stays as it happened).
    """

    def __init__(self, limit: int = 5000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._limit = limit
        self._entries: list[LogEntry] = []
        self._queued: list[LogEntry] = []
        self._batch_timer = QTimer(self)
        self._batch_timer.setSingleShot(True)
        self._batch_timer.setInterval(LOG_BATCH_MS)
        self._batch_timer.timeout.connect(self.flush)

    def queue(self, entries: list[LogEntry]) -> None:
        """Lines to insert with the next batch (within LOG_BATCH_MS)."""
        self._queued.extend(entries)
        if self._queued and not self._batch_timer.isActive():
            self._batch_timer.start()

    def flush(self) -> None:
        """Insert what is queued now."""
        self._batch_timer.stop()
        queued, self._queued = self._queued, []
        self._insert(queued)

    def append(self, entry: LogEntry) -> None:
        self.extend([entry])

    def extend(self, entries: list[LogEntry]) -> None:
        """Append a batch now: one row insertion for it and anything queued (one trim)."""
        self._batch_timer.stop()
        queued, self._queued = self._queued, []
        self._insert(queued + entries)

    def _insert(self, entries: list[LogEntry]) -> None:
        entries = entries[-self._limit :]
        if not entries:
            return
        excess = len(self._entries) + len(entries) - self._limit
        if excess > 0:
            # Drop at least a tenth at once so trimming is not a row removal per batch.
            drop = min(len(self._entries), max(excess, self._limit // 10))
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            del self._entries[:drop]
            self.endRemoveRows()
        first = len(self._entries)
        self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
        self._entries.extend(entries)
        self.endInsertRows()

    def entry(self, row: int) -> LogEntry:
        return self._entries[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == TIME:
                local = entry.at.astimezone()
                if role == Qt.ItemDataRole.ToolTipRole:
                    return local.isoformat(timespec="seconds")
                return local.strftime("%H:%M:%S")
            if role == Qt.ItemDataRole.ToolTipRole and column == DETAILS and entry.details:
                return wrapped_tip(entry.details, "Double-click the line to read or copy it")
            text = (entry.event, entry.who, entry.conference, entry.details)[column - 1]
            return plain_tip(text) if role == Qt.ItemDataRole.ToolTipRole else text
        if role == Qt.ItemDataRole.ForegroundRole:
            if entry.level == "error":
                return QBrush(theme.ERROR)
            if column in (TIME, CONFERENCE, DETAILS):
                return QBrush(theme.TEXT_DIM)
            return None
        if role == Role.EVENT_KIND:
            return entry.kind
        if role == Role.LEVEL:
            return entry.level
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return ITEM_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
