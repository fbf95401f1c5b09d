"""Breakout rooms: plan them, drag people between rooms, open, announce, close.

Before the rooms open, the columns show the plan; once open, they show who Twilio has in each
room (the roster), with headcounts. Dropping a person on a column places them there (and moves
their call while the rooms are open).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from moderator.control.interface import DoorService
from moderator.domain.rooms import MAX_ROOMS
from moderator.domain.roster import Participant
from moderator.ui.async_slot import async_slot
from moderator.ui.grid.announce_dialog import RecentTexts
from moderator.ui.grid.announce_dialog import announcement_dialog as text_dialog
from moderator.ui.grid.roles import Role
from moderator.ui.plain_text import plain_label, plain_tip

CALL_SID_MIME = "application/x-moderator-call-sid"
DEFAULT_ANNOUNCEMENT = "Breakout rooms close in one minute."
AskText = Callable[[], str | None]


class RoomColumn(QListWidget):
    """One room's people (room None: the main conference); a drop emits `dropped`."""

    dropped = Signal(str, object)  # call sid, room number or None

    def __init__(self, room: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.room = room
        self.setObjectName("roomColumn")
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSpacing(2)
        self.setMaximumHeight(180)  # the tiles below stay in sight

    def show_people(self, people: Sequence[Participant]) -> None:
        self.clear()
        for person in people:
            text = person.display_name + ("  · moving…" if person.moving else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, person.call_sid)
            item.setToolTip(plain_tip(person.number or person.call_sid))
            self.addItem(item)

    def call_sids(self) -> list[str]:
        return [str(self.item(row).data(Qt.ItemDataRole.UserRole)) for row in range(self.count())]

    def mimeTypes(self) -> list[str]:
        return [CALL_SID_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        if items:
            data.setData(CALL_SID_MIME, str(items[0].data(Qt.ItemDataRole.UserRole)).encode())
        return data

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        """Offer a copy only: the source column must not drop its item; all redraw anyway."""
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.exec(Qt.DropAction.CopyAction)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(CALL_SID_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(CALL_SID_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(CALL_SID_MIME):
            event.ignore()
            return
        call_sid = bytes(event.mimeData().data(CALL_SID_MIME).data()).decode()
        # Copy, not move: the source keeps its item; every column redraws from the service.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(call_sid, self.room)


class TileDrag(QObject):
    """Lets a tile of the grid be dragged onto a room column while `active()` (the panel shows).

    An event filter on the grid's viewport, so the grid keeps its own click-to-mute: a press
    and release without moving that far is still a click, and the release that ends a drag is
    swallowed so it cannot toggle anyone's mute.
    """

    def __init__(self, grid: QAbstractItemView, active: Callable[[], bool]) -> None:
        super().__init__(grid)
        self._grid = grid
        self._active = active
        self._origin: QPoint | None = None
        self._call_sid: str | None = None
        self._dragged = False
        self.start_drag: Callable[[str], None] = self._drag  # tests replace the blocking drag
        grid.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonRelease and self._dragged:
            self._dragged = False
            return True
        if not isinstance(event, QMouseEvent) or not self._active():
            return False
        position = event.position().toPoint()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            index = self._grid.indexAt(position)
            value = index.data(Role.CALL_SID) if index.isValid() else None
            self._origin, self._call_sid = position, value if isinstance(value, str) else None
        elif kind == QEvent.Type.MouseMove and self._call_sid and self._origin is not None:
            held = event.buttons() & Qt.MouseButton.LeftButton
            far = (position - self._origin).manhattanLength() >= QApplication.startDragDistance()
            if held and far:
                call_sid, self._call_sid = self._call_sid, None
                self._dragged = True
                self.start_drag(call_sid)
                return True
        elif kind == QEvent.Type.MouseButtonRelease:
            self._call_sid = None
        return False

    def _drag(self, call_sid: str) -> None:
        drag = QDrag(self._grid)
        data = QMimeData()
        data.setData(CALL_SID_MIME, call_sid.encode())
        drag.setMimeData(data)
        drag.exec(Qt.DropAction.CopyAction)


def announcement_dialog(parent: QWidget | None, recent: Sequence[str] = ()) -> QInputDialog:
    """ "Say to every room": the host's recent texts (those of Announce… too) offered, then the
    usual one-minute warning."""
    offered = list(dict.fromkeys([*recent, DEFAULT_ANNOUNCEMENT]))
    return text_dialog(parent, "every room", offered)


class BreakoutPanel(QWidget):
    """Rooms side by side under the toolbar; hidden until the host opens it (Ctrl+B)."""

    def __init__(self, service: DoorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breakoutPanel")
        self.service = service
        self.ask_announcement: AskText = self._ask_announcement
        self.recent = RecentTexts()  # the door gives it the window's (Announce…'s) texts
        self.count = QSpinBox()
        self.count.setRange(1, MAX_ROOMS)
        self.count.setValue(2)
        self.count.setPrefix("Rooms: ")
        self.keep_presenter = QCheckBox("Keep the presenter and you in main")
        # the host's own call (This is me, Call me): the door UI knows it
        self.hosts_own: Callable[[], Collection[str]] = lambda: ()
        self.keep_presenter.setChecked(True)
        self.evenly_button = QPushButton("Assign evenly")
        self.evenly_button.clicked.connect(lambda: self.plan(randomly=False))
        self.randomly_button = QPushButton("Assign randomly")
        self.randomly_button.clicked.connect(lambda: self.plan(randomly=True))
        self.open_button = QPushButton("Open rooms")
        self.open_button.clicked.connect(self._open)
        self.announce_button = QPushButton("Announce…")
        self.announce_button.clicked.connect(self.announce)
        self.close_button = QPushButton("Close rooms")
        self.close_button.setObjectName("danger")
        self.close_button.clicked.connect(self._close)
        self.state = QLabel()
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.count,
            self.keep_presenter,
            self.evenly_button,
            self.randomly_button,
            self.open_button,
            self.announce_button,
            self.close_button,
        ):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.state)
        self._columns_box = QHBoxLayout()
        self._columns_box.setContentsMargins(0, 0, 0, 0)
        self.columns: list[RoomColumn] = []
        self._headers: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        title = QLabel("BREAKOUT ROOMS")
        title.setObjectName("paneTitle")
        layout.addWidget(title)
        layout.addLayout(controls)
        layout.addLayout(self._columns_box, 1)
        self.setMinimumHeight(180)
        self.refresh()

    # ---- what the host does ----------------------------------------------------------------

    def plan(self, *, randomly: bool, seed: int | None = None) -> None:
        self.service.plan_rooms(
            self.count.value(),
            randomly=randomly,
            keep_presenter=self.keep_presenter.isChecked(),
            keep=self.hosts_own() if self.keep_presenter.isChecked() else (),
            seed=seed,
        )

    @async_slot()
    async def _open(self) -> None:
        if self.service.plan is None:
            self.plan(randomly=False)
        await self.service.open_rooms()

    @async_slot()
    async def _close(self) -> None:
        await self.service.close_rooms()

    @Slot()
    def announce(self) -> None:
        # asked here, in a plain slot: a dialog's nested loop must not run inside a task
        text = self.ask_announcement()
        if text:
            self.recent.remember(text)
            self._announce(text)

    @async_slot(str)
    async def _announce(self, text: str) -> None:
        await self.service.announce_rooms(text)

    def _ask_announcement(self) -> str | None:
        dialog = announcement_dialog(self, self.recent.items())
        ok = dialog.exec() == QInputDialog.DialogCode.Accepted
        text = dialog.textValue()
        dialog.deleteLater()
        return text.strip() if ok else None

    @async_slot(str, object)
    async def _place(self, call_sid: str, room: int | None) -> None:
        await self.service.place(call_sid, room)

    def place(self, call_sid: str, room: int | None) -> None:
        """Put someone in `room` (None: the main meeting): a drop, or the tile menu's Move to."""
        self._place(call_sid, room)

    # ---- drawing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw the columns from the plan (closed) or from the roster (open)."""
        service = self.service
        plan = service.plan
        count = plan.count if plan else 0
        if service.rooms_open:
            rooms = service.room_people()
            count = max([count, *rooms]) if rooms else count
            in_rooms = {p.call_sid for people in rooms.values() for p in people}
            main = [p for p in service.main_people() if p.call_sid not in in_rooms]
        else:
            present = service.main_people()
            rooms = {n: [] for n in range(1, count + 1)}
            main = []
            for person in present:
                room = plan.room_of(person.call_sid) if plan else None
                (rooms[room] if room is not None and room in rooms else main).append(person)
        self._ensure_columns(count)
        self._fill(0, "Main", main)
        for number in range(1, count + 1):
            self._fill(number, f"Room {number}", rooms.get(number, []))
        self.open_button.setEnabled(not service.rooms_open)
        self.close_button.setEnabled(service.rooms_open)
        self.announce_button.setEnabled(service.rooms_open)
        self.evenly_button.setEnabled(not service.rooms_open)
        self.randomly_button.setEnabled(not service.rooms_open)
        self.count.setEnabled(not service.rooms_open)
        self.state.setText("Rooms are open" if service.rooms_open else "Not open yet")

    def headcounts(self) -> list[str]:
        return [header.text() for header in self._headers]

    def _fill(self, position: int, name: str, people: list[Participant]) -> None:
        self._headers[position].setText(f"{name} · {len(people)}")
        self.columns[position].show_people(people)

    def _ensure_columns(self, count: int) -> None:
        while len(self.columns) > count + 1:
            column = self.columns.pop()
            header = self._headers.pop()
            header.deleteLater()
            box = column.parentWidget()
            if box is not None:
                box.setParent(None)
                box.deleteLater()
        while len(self.columns) < count + 1:
            room = len(self.columns) or None
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            header = plain_label()  # "{meeting} · 3": the meeting's name is caller text
            header.setObjectName("roomHeader")
            column = RoomColumn(room, box)
            column.dropped.connect(self._place)
            box_layout.addWidget(header)
            box_layout.addWidget(column, 1)
            self._columns_box.addWidget(box, 1)
            self.columns.append(column)
            self._headers.append(header)
