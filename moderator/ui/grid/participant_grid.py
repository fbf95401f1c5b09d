"""The tile grid: a QListView in icon mode that turns clicks and keys into moderation requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from moderator.domain.clock import utc_now
from moderator.domain.roster import Participant
from moderator.ui.grid.participant_model import ParticipantModel
from moderator.ui.grid.roles import Role
from moderator.ui.grid.tile_delegate import TileDelegate
from moderator.ui.look import theme

CLOCK_TICK_MS = 1000
PENDING_FRAME_MS = 60  # the pending hourglass's frame rate (only those tiles repaint)
PENDING_FRAMES = 20  # frames per cycle: the hourglass turns over every 1.2 s


class ParticipantGrid(QListView):
    """Shows tiles; emits what the host asked for and leaves the doing to the window.

    Click: toggle mute. Space: toggle mute. H: toggle hold. W: whisper to them (or stop).
    Delete/Backspace: kick.
    Arrows move between tiles (QListView's own navigation). Right click, the Menu key or
    Shift+F10: menu_requested (so everything in the tile's menu is reachable by keyboard).
    """

    toggle_mute_requested = Signal(str)  # call sid
    toggle_hold_requested = Signal(str)
    toggle_whisper_requested = Signal(str)
    kick_requested = Signal(str)
    menu_requested = Signal(str, QPoint)  # call sid, global position

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self.setObjectName("participants")
        self.setAccessibleName("Participants")
        self.setAccessibleDescription(
            "Space mutes or unmutes, H holds, Delete removes, the Menu key opens more"
        )
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
        self.delegate = TileDelegate(self, clock)
        self.setItemDelegate(self.delegate)
        self.empty_text = "No one is here yet.\nParticipants appear as they join."
        self.filter_text: str | None = None  # the search hides every tile: say so
        self._pressed: QModelIndex | None = None
        self.customContextMenuRequested.connect(self._context_menu)
        # Only the "time in call" labels need a clock; roster state arrives by signal. Public
        # so a picture of the window can stop it (a repaint mid-grab blurs it).
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(CLOCK_TICK_MS)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start()
        # Pending tiles animate; the timer runs only while one of them is on screen.
        self._pending_frame = 0
        self.pending_timer = QTimer(self)
        self.pending_timer.setInterval(PENDING_FRAME_MS)
        self.pending_timer.timeout.connect(self._animate_pending)
        self._pending_check = QTimer(self)  # coalesces a burst of model changes into one check
        self._pending_check.setSingleShot(True)
        self._pending_check.setInterval(0)
        self._pending_check.timeout.connect(self._sync_pending_timer)

    def set_empty_text(self, text: str) -> None:
        """What the grid says while it has no tiles (waiting for people, or the call ended)."""
        if text != self.empty_text:
            self.empty_text = text
            self.viewport().update()

    def set_filter_text(self, text: str | None) -> None:
        """What the grid says while a search hides every tile (None: the search found some)."""
        if text != self.filter_text:
            self.filter_text = text
            self.viewport().update()

    def current_call_sid(self) -> str | None:
        index = self.currentIndex()
        shown = index.isValid() and not self.isRowHidden(index.row())  # a search may hide it
        value = index.data(Role.CALL_SID) if shown else None
        return value if isinstance(value, str) else None

    # ---- pending animation -----------------------------------------------------------------

    def setModel(self, model: QAbstractItemModel | None) -> None:
        previous = self.model()
        if previous is not None:
            for signal in self._model_signals(previous):
                signal.disconnect(self._pending_check.start)
        super().setModel(model)
        if model is not None:
            for signal in self._model_signals(model):
                signal.connect(self._pending_check.start)
        self._pending_check.start()

    def rowsAboutToBeRemoved(
        self, parent: QModelIndex | QPersistentModelIndex, start: int, end: int
    ) -> None:
        """The chosen person leaves: nobody is chosen now. Qt would move the current tile to a
        neighbour, and the next Space, H or Delete would act on someone the host never chose."""
        current = self.currentIndex()
        gone = current.isValid() and not parent.isValid() and start <= current.row() <= end
        super().rowsAboutToBeRemoved(parent, start, end)
        if gone:
            self.selectionModel().clear()  # current and selection: no tile is chosen

    @staticmethod
    def _model_signals(model: QAbstractItemModel) -> list[Any]:
        return [
            model.dataChanged,
            model.rowsInserted,
            model.rowsRemoved,
            model.modelReset,
            model.layoutChanged,
        ]

    def pending_rows(self) -> list[int]:
        """Rows of the tiles that animate, in order: pending (sent, not confirmed) or ringing.

        Read from the model, i.e. from the roster's pending overlay: the grid keeps no set of
        its own that could disagree with the tiles.
        """
        model = self.model()
        if isinstance(model, ParticipantModel):
            return model.pending_rows()  # a dict lookup per row: cheap on every repaint
        rows = range(model.rowCount() if model is not None else 0)
        return [row for row in rows if _is_pending(model.index(row, 0))]

    def _visible_pending_rects(self) -> list[QRect]:
        if not self.isVisible():
            return []
        area = self.viewport().rect()
        model = self.model()
        rects = (self.visualRect(model.index(row, 0)) for row in self.pending_rows())
        return [rect for rect in rects if rect.intersects(area)]

    def _sync_pending_timer(self) -> None:
        """Run the animation only while some pending tile is on screen."""
        self.executeDelayedItemsLayout()  # new rows need their place before we look
        if self._visible_pending_rects():
            if not self.pending_timer.isActive():
                self.pending_timer.start()
        else:
            self.pending_timer.stop()
            self._pending_frame = 0
            self.delegate.pending_phase = 0.0

    def _animate_pending(self) -> None:
        rects = self._visible_pending_rects()
        if not rects:
            self._sync_pending_timer()
            return
        self._pending_frame = (self._pending_frame + 1) % PENDING_FRAMES
        self.delegate.pending_phase = self._pending_frame / PENDING_FRAMES
        viewport = self.viewport()
        for rect in rects:
            viewport.update(rect)  # those tiles only: the model and the other tiles rest

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._pending_check.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.pending_timer.stop()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._pending_check.start()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if self.pending_timer.isActive() or self.pending_rows():
            self._pending_check.start()

    # ---- clicks and keys -------------------------------------------------------------------

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

    def _keyboard_menu(self) -> None:
        index = self.currentIndex()
        if not index.isValid():
            return
        below = self.visualRect(index).center()
        self.menu_requested.emit(index.data(Role.CALL_SID), self.viewport().mapToGlobal(below))

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
        if key == Qt.Key.Key_Menu or (
            key == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier
        ):
            event.accept()
            self._keyboard_menu()
            return
        signal = None
        if plain and key == Qt.Key.Key_Space:
            signal = self.toggle_mute_requested
        elif plain and key == Qt.Key.Key_H:
            signal = self.toggle_hold_requested
        elif plain and key == Qt.Key.Key_W:
            signal = self.toggle_whisper_requested
        elif plain and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            signal = self.kick_requested
        if signal is None:
            super().keyPressEvent(event)
            return
        event.accept()
        if call_sid is not None:
            signal.emit(call_sid)

    def paintEvent(self, event: QPaintEvent) -> None:
        # Qt asks the delegate for every tile inside the bounding rect of what changed: two
        # pending tiles far apart (the hourglass turns every 60 ms) had every tile between them
        # drawn, clipped away, 4-12 ms a frame. The delegate skips those outside the region.
        self.delegate.dirty = event.region()
        try:
            super().paintEvent(event)
        finally:
            self.delegate.dirty = None
        model = self.model()
        empty = model is None or model.rowCount() == 0
        text = self.empty_text if empty else self.filter_text
        if text:
            painter = QPainter(self.viewport())
            painter.setPen(theme.TEXT_DIM)
            area = QRect(self.viewport().rect())
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, text)
            painter.end()


def _is_pending(index: QModelIndex) -> bool:
    participant = index.data(Role.PARTICIPANT)
    return isinstance(participant, Participant) and (
        participant.pending is not None or participant.ringing  # both animate
    )
