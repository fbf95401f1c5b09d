"""The tile grid: a QListView in icon mode that turns clicks and keys into moderation requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from moderator.ui import theme
from moderator.ui.roles import Role
from moderator.ui.tile_delegate import TileDelegate, utc_now

CLOCK_TICK_MS = 1000


class ParticipantGrid(QListView):
    """Shows tiles; emits what the host asked for and leaves the doing to the window.

    Click: toggle mute. Space: toggle mute. H: toggle hold. Delete/Backspace: kick.
    Arrows move between tiles (QListView's own navigation). Right click: menu_requested.
    """

    toggle_mute_requested = Signal(str)  # call sid
    toggle_hold_requested = Signal(str)
    kick_requested = Signal(str)
    menu_requested = Signal(str, QPoint)  # call sid, global position

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self.setObjectName("participants")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)  # one sizeHint for all: layout of 250 tiles stays cheap
        self.setSpacing(6)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)  # hover highlight
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setItemDelegate(TileDelegate(self, clock))
        self.empty_text = "No one is here yet.\nParticipants appear as they join."
        self._pressed: QModelIndex | None = None
        self.customContextMenuRequested.connect(self._context_menu)
        # Only the "time in call" labels need a clock; roster state arrives by signal.
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_TICK_MS)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    def current_call_sid(self) -> str | None:
        index = self.currentIndex()
        value = index.data(Role.CALL_SID) if index.isValid() else None
        return value if isinstance(value, str) else None

    def _tick(self) -> None:
        model = self.model()
        if model is not None and model.rowCount() and self.isVisible():
            self.viewport().update()

    def _context_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        self.menu_requested.emit(index.data(Role.CALL_SID), self.viewport().mapToGlobal(pos))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        pressed = self._pressed
        super().mouseReleaseEvent(event)
        # A click is press and release on the same tile with the left button.
        if (
            event.button() == Qt.MouseButton.LeftButton
            and index.isValid()
            and pressed is not None
            and pressed == index
        ):
            self.toggle_mute_requested.emit(index.data(Role.CALL_SID))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        self._pressed = (
            index if event.button() == Qt.MouseButton.LeftButton and index.isValid() else None
        )
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        call_sid = self.current_call_sid()
        key = event.key()
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        signal = None
        if plain and key == Qt.Key.Key_Space:
            signal = self.toggle_mute_requested
        elif plain and key == Qt.Key.Key_H:
            signal = self.toggle_hold_requested
        elif plain and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            signal = self.kick_requested
        if signal is None:
            super().keyPressEvent(event)
            return
        event.accept()
        if call_sid is not None:
            signal.emit(call_sid)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is None or model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(theme.TEXT_DIM)
            area = QRect(self.viewport().rect())
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
