"""The Waiting strip: who is in the waiting room (name or number, since when), Admit, Deny."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QWidget,
)

from moderator.control.interface import DoorService
from moderator.domain.clock import utc_now
from moderator.domain.roster import Participant
from moderator.ui.async_slot import async_slot
from moderator.ui.grid.roles import ITEM_FLAGS, Role
from moderator.ui.plain_text import plain_tip

_Index = QModelIndex | QPersistentModelIndex


def waited(since: datetime | None, now: datetime) -> str:
    """ "waiting 3 min" (or seconds, under a minute)."""
    if since is None:
        return "waiting"
    seconds = max(0, int((now - since).total_seconds()))
    return f"waiting {seconds} s" if seconds < 60 else f"waiting {seconds // 60} min"


class WaitingModel(QAbstractListModel):
    """The waiting callers, longest waiting first; rows inserted and removed, never reset."""

    def __init__(
        self,
        service: DoorService,
        parent: QObject | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._clock = clock
        self._people: list[Participant] = []

    def refresh(self) -> list[Participant]:
        """Follow the roster; returns the callers who started waiting since the last refresh."""
        new = self._service.waiting()
        new_sids = [p.call_sid for p in new]
        for row in range(len(self._people) - 1, -1, -1):
            if self._people[row].call_sid not in new_sids:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._people[row]
                self.endRemoveRows()
        known = {p.call_sid for p in self._people}
        arrived = [p for p in new if p.call_sid not in known]
        if arrived:
            first = len(self._people)
            self.beginInsertRows(QModelIndex(), first, first + len(arrived) - 1)
            self._people.extend(arrived)
            self.endInsertRows()
        by_sid = {p.call_sid: p for p in new}
        for row, person in enumerate(self._people):
            if by_sid[person.call_sid] != person:
                self._people[row] = by_sid[person.call_sid]
                self.dataChanged.emit(self.index(row), self.index(row))
        return arrived

    def tick(self) -> None:
        if self._people:
            self.dataChanged.emit(self.index(0), self.index(len(self._people) - 1))

    def person(self, row: int) -> Participant | None:
        return self._people[row] if 0 <= row < len(self._people) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._people)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        person = self.person(index.row()) if index.isValid() else None
        if person is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            moving = "  · moving…" if person.moving else ""
            return f"{person.display_name}  ·  {waited(person.joined_at, self._clock())}{moving}"
        if role == Qt.ItemDataRole.ToolTipRole:
            since = person.joined_at.astimezone().strftime("%H:%M:%S") if person.joined_at else "?"
            number = person.number or "number unknown"
            return plain_tip(f"{person.display_name}\n{number}\nwaiting since {since}")
        if role == Role.CALL_SID:
            return person.call_sid
        if role == Role.PARTICIPANT:
            return person
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return ITEM_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags


class WaitingStrip(QWidget):
    """A band above the tiles, shown while someone waits. Double-click admits."""

    arrived = Signal(list)  # list[Participant]: new in the waiting room

    def __init__(
        self,
        service: DoorService,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("waitingStrip")
        self.service = service
        self.model = WaitingModel(service, self, clock)
        self.title = QLabel("WAITING")
        self.title.setObjectName("paneTitle")
        self.list = QListView()
        self.list.setObjectName("waiting")
        self.list.setModel(self.model)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setSpacing(4)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setFixedHeight(40)
        self.list.doubleClicked.connect(lambda index: self._admit([index.data(Role.CALL_SID)]))
        self.admit_button = QPushButton("Admit")
        self.admit_button.setToolTip("Let the selected callers in")
        self.admit_button.clicked.connect(lambda: self._admit(self.selected()))
        self.deny_button = QPushButton("Deny")
        self.deny_button.setObjectName("danger")
        self.deny_button.setToolTip("Tell the selected callers they were not let in, hang up")
        self.deny_button.clicked.connect(lambda: self._deny(self.selected()))
        self.admit_all_button = QPushButton("Admit all")
        self.admit_all_button.clicked.connect(self._admit_all)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        for button in (self.admit_button, self.deny_button, self.admit_all_button):
            layout.addWidget(button)
        self.list.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.model.tick)
        self._ticker.start()
        self.refresh()

    def refresh(self) -> None:
        arrived = self.model.refresh()
        count = self.model.rowCount()
        self.title.setText(f"WAITING ({count})")
        self.setVisible(count > 0)
        if count and not self.selected():
            self.list.setCurrentIndex(self.model.index(0))
        self._enable()
        if arrived:
            self.arrived.emit(arrived)

    def selected(self) -> list[str]:
        rows = sorted(index.row() for index in self.list.selectionModel().selectedIndexes())
        people = (self.model.person(row) for row in rows)
        return [person.call_sid for person in people if person is not None]

    def _enable(self) -> None:
        some = bool(self.selected())
        self.admit_button.setEnabled(some)
        self.deny_button.setEnabled(some)
        self.admit_all_button.setEnabled(self.model.rowCount() > 0)

    @async_slot()
    async def _admit_all(self) -> None:
        await self.service.admit_all()

    @async_slot(list)
    async def _admit(self, call_sids: list[str]) -> None:
        for sid in call_sids:
            await self.service.admit(sid)

    @async_slot(list)
    async def _deny(self, call_sids: list[str]) -> None:
        for sid in call_sids:
            await self.service.deny(sid)
