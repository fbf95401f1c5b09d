"""Find a person: a search box that filters the grid's tiles by name or number.

The filter lives in the view (rows hidden in the grid), not in a proxy model: every other part
of the window (menus, pending animation, drag to a room, tests) addresses tiles by the
participant model's own rows, and hiding rows keeps those rows valid. Which rows match is
`domain/names.py:matches`, over the one display name, so a person is found by the name shown
on their tile.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from moderator.domain.names import MAX_QUERY_CHARS, matches
from moderator.domain.roster import Participant
from moderator.ui.grid.participant_grid import ParticipantGrid
from moderator.ui.grid.roles import Role


class TileSearch(QLineEdit):
    """Typing filters the tiles; Esc clears and goes back to the tiles; Enter or Down goes to
    the first tile found. A hidden tile is never the chosen one (Space must not mute someone
    the host cannot see)."""

    def __init__(self, grid: ParticipantGrid, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tileSearch")
        self.setAccessibleName("Find a person")
        self.setPlaceholderText("Find a person (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self.setMaxLength(MAX_QUERY_CHARS)
        self.setMaximumWidth(320)
        self.found = QLabel()  # "2 of 14": how many tiles the search shows
        self.found.setObjectName("hint")
        self.found.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QWidget()
        self.bar.setObjectName("tileSearchBar")
        layout = QHBoxLayout(self.bar)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self, 1)
        layout.addWidget(self.found)
        layout.addStretch(1)
        self._grid = grid
        self._filtering = False  # some rows may be hidden: unhide them when the query clears
        self._following = False  # listening to rows that join or change (while filtering)
        self.textChanged.connect(self.apply)
        model = grid.model()
        for signal in (model.modelReset, model.layoutChanged):
            signal.connect(self.apply)
        grid.installEventFilter(self)  # Esc on the tiles clears the search too

    @property
    def query(self) -> str:
        return self.text().strip()

    def visible_rows(self) -> list[int]:
        model = self._grid.model()
        return [r for r in range(model.rowCount()) if not self._grid.isRowHidden(r)]

    def apply(self, *_args: object) -> None:
        """Hide the tiles that do not match (all shown for an empty query)."""
        if not self.query and not self._filtering:
            self.found.clear()
            return  # the common case: nothing typed, nothing to walk over
        self._filtering = True  # until this pass has shown every row again
        self._some(0, self._grid.model().rowCount() - 1)
        self._filtering = bool(self.query)
        self._follow(self._filtering)

    def _follow(self, on: bool) -> None:
        """While a search hides tiles, the rows that join or change are matched again (a row
        each, not the whole grid each). Only then: every tile a batch changes called back
        into Python to be told that nothing is searched."""
        if on == self._following:
            return
        self._following = on
        model = self._grid.model()
        for signal, slot in (
            (model.rowsInserted, self._inserted),
            (model.dataChanged, self._changed),
        ):
            if on:
                signal.connect(slot)
            else:
                signal.disconnect(slot)

    def _inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._some(first, last)

    def _changed(self, top: QModelIndex, bottom: QModelIndex, _roles: list[int]) -> None:
        self._some(top.row(), bottom.row())

    def _some(self, first: int, last: int) -> None:
        """Match rows `first`..`last` again (a row joined, renamed, its number looked up), then
        update the count and what the grid says."""
        if not self._filtering:
            return
        query, grid = self.query, self._grid
        model = grid.model()
        for row in range(max(0, first), min(last, model.rowCount() - 1) + 1):
            participant = model.index(row, 0).data(Role.PARTICIPANT)
            keep = not query or (
                isinstance(participant, Participant) and _found(query, participant)
            )
            if grid.isRowHidden(row) == keep:
                grid.setRowHidden(row, not keep)
        current = grid.currentIndex()
        if current.isValid() and grid.isRowHidden(current.row()):
            grid.selectionModel().clear()  # nobody hidden stays chosen
        total = model.rowCount()
        shown = sum(not grid.isRowHidden(row) for row in range(total))
        self.found.setText(f"{shown} of {total}" if query else "")
        grid.set_filter_text(
            f"No one here matches “{query}”.\nEsc clears the search."
            if query and not shown and total
            else None
        )

    def focus(self) -> None:
        """Ctrl+F: into the box, its text selected to type over."""
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._grid
            and self._filtering
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.clear()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.clear()
            self._grid.setFocus(Qt.FocusReason.OtherFocusReason)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            rows = self.visible_rows()
            if rows:
                self._grid.setCurrentIndex(self._grid.model().index(rows[0], 0))
                self._grid.setFocus(Qt.FocusReason.OtherFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)


def _found(query: str, participant: Participant) -> bool:
    return matches(query, participant.display_name, participant.number)
