"""Every conference the roster knows, with status and headcount, for the conference picker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from moderator.domain.rooms import side_of
from moderator.domain.roster import Change, ChangeKind, Conference, Roster
from moderator.domain.state import ConferenceStatus, Participant, took_part
from moderator.ui.grid.roles import ITEM_FLAGS, Role
from moderator.ui.look import theme
from moderator.ui.plain_text import plain_tip

_Index = QModelIndex | QPersistentModelIndex

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATUS_WORDS = {
    ConferenceStatus.INIT: "Waiting",
    ConferenceStatus.IN_PROGRESS: "Live",
    ConferenceStatus.COMPLETED: "Ended",
}


def status_colour(status: ConferenceStatus) -> QColor:
    colours = {ConferenceStatus.IN_PROGRESS: theme.LIVE, ConferenceStatus.COMPLETED: theme.ENDED}
    return colours.get(status, theme.WAITING)


def _dot(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(colour)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def headline(
    conference: Conference, everyone: Iterable[Participant] = (), took: int | None = None
) -> str:
    """'Live · 4 people', or for an ended call 'Ended · 4 took part' and, on a line of its own,
    'Thu 3 Dec 14:05' (when it started, so yesterday's and today's meeting of the same name
    differ; `took`, else counted from `everyone` in it). Two short lines, not one long one: at
    the sidebar's default width one line was cut ("4 took p")."""
    if not conference.status.live:
        count = took_part(everyone) if took is None else took
        when = conference.started_at or conference.ended_at
        started = f"\n{started_words(when)}" if when is not None else ""
        return f"{STATUS_WORDS[conference.status]} · {count} took part{started}"
    people = "1 person" if conference.headcount == 1 else f"{conference.headcount} people"
    return f"{STATUS_WORDS[conference.status]} · {people}"


def started_words(moment: datetime) -> str:
    """'Thu 3 Dec 14:05' in the machine's time zone (English words: the UI is English only)."""
    local = moment.astimezone()
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local:%H:%M}"


def ordered(conferences: list[Conference]) -> list[str]:
    """Conference SIDs for the picker, newest meeting first, each meeting's waiting room and
    breakout rooms right under it (`conferences` oldest first, as the roster lists them)."""
    groups: list[list[str]] = []
    latest: dict[str, list[str]] = {}  # meeting name -> its newest group
    for conference in conferences:
        side = side_of(conference.friendly_name)
        if side is not None and side[0] in latest:
            latest[side[0]].append(conference.sid)
            continue
        group = [conference.sid]
        groups.append(group)
        if side is None:
            latest[conference.friendly_name] = group
    return [sid for group in reversed(groups) for sid in group]


class ConferenceModel(QAbstractListModel):
    """One row per conference, newest first (a new call lands on top, above yesterday's);
    a change touches only that conference's row."""

    def __init__(self, roster: Roster, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roster = roster
        self._sids = ordered(roster.conferences())
        self._dots: dict[str, QIcon] = {}
        # conference SID -> its picker line; a change to the conference drops it. The picker
        # asks for every row's text at each repaint, and an ended call's "took part" counts
        # everyone who was ever in it.
        self._lines: dict[str, str] = {}
        # a live conference's row as it was at its last change: name, status, line
        self._looks: dict[str, tuple[str, ConferenceStatus, str]] = {}

    def on_changes(self, changes: list[Change]) -> None:
        touched: list[str] = []
        for change in changes:
            sid = change.conference_sid
            self._lines.pop(sid, None)
            if change.kind is ChangeKind.CONFERENCE_ADDED and sid not in self._sids:
                row = self._row_for(sid)
                self.beginInsertRows(QModelIndex(), row, row)
                self._sids.insert(row, sid)
                self.endInsertRows()
            elif change.kind is ChangeKind.CONFERENCE_UPDATED and sid not in touched:
                touched.append(sid)
        for sid in touched:
            if sid in self._sids and self._look_changed(sid):
                index = self.index(self._sids.index(sid))
                self.dataChanged.emit(index, index)

    def _look_changed(self, sid: str) -> bool:
        """Whether the row shows something else than at its last change. A live call's row
        (name, status, headcount) stays as it was through most callbacks (someone speaks):
        those neither repaint it nor lay the picker out again (its rows differ in height, so
        a changed row costs a layout and a repaint of the whole list, at every batch). An
        ended call's row is told changed (its count of who took part is not taken here)."""
        conference = self._roster.conference(sid)
        if conference is None or not conference.status.live:
            self._looks.pop(sid, None)
            return True
        look = (conference.friendly_name, conference.status, self._line(conference))
        if self._looks.get(sid) == look:
            return False
        self._looks[sid] = look
        return True

    def conference(self, row: int) -> Conference | None:
        if not 0 <= row < len(self._sids):
            return None
        return self._roster.conference(self._sids[row])

    def preferred_row(self, follows: Callable[[Conference], bool] = lambda _c: True) -> int:
        """The row of the newest live conference `follows` accepts, else the newest one's
        (-1: none)."""
        for row, sid in enumerate(self._sids):
            conference = self._roster.conference(sid)
            if conference is not None and conference.status.live and follows(conference):
                return row
        return 0 if self._sids else -1

    def _row_for(self, sid: str) -> int:
        """A new meeting goes on top; a waiting room or breakout room under its newest meeting
        (after the rooms already there)."""
        conference = self._roster.conference(sid)
        side = side_of(conference.friendly_name) if conference else None
        if side is None:
            return 0
        found = False
        for row, other_sid in enumerate(self._sids):
            other = self._roster.conference(other_sid)
            name = other.friendly_name if other else ""
            other_side = side_of(name)
            if not found:
                found = name == side[0]
            elif other_side is None or other_side[0] != side[0]:
                return row
        return len(self._sids) if found else 0

    def row_of(self, conference_sid: str) -> int:
        return self._sids.index(conference_sid) if conference_sid in self._sids else -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._sids)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        conference = self.conference(index.row())
        if conference is None:
            return None
        name = conference.friendly_name or conference.sid
        side = side_of(conference.friendly_name)
        if side is not None:  # listed under its meeting: short, the picker is narrow
            name = f"  ↳ {side[1].capitalize()}"
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            line = self._line(conference)
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{name}\n{line}"
            if role == Qt.ItemDataRole.AccessibleTextRole:
                spoken = f"{side[1]} of {side[0]}" if side is not None else name
                return f"{spoken}, {line}".replace("\n", ", ")
            return plain_tip(f"{name}\n{conference.sid}\n{line}")
        if role == Qt.ItemDataRole.DecorationRole:
            if conference.status not in self._dots:
                self._dots[conference.status] = _dot(status_colour(conference.status))
            return self._dots[conference.status]
        if role == Role.CONFERENCE:
            return conference
        if role == Role.CONFERENCE_SID:
            return conference.sid
        return None

    def _line(self, conference: Conference) -> str:
        line = self._lines.get(conference.sid)
        if line is None:
            # a past conference's count comes from its summary: listing it folds nothing
            took = None if conference.status.live else self._roster.took_part(conference.sid)
            line = self._lines[conference.sid] = headline(conference, took=took)
        return line

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return ITEM_FLAGS
