"""The captions pane: what the shown conference's callers say, live, with their names, and a
search over the meeting's transcript; and the Meeting menu's *Live captions* switch."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from moderator.control.interface import CaptionsService
from moderator.domain.names import plural
from moderator.domain.transcripts import Line
from moderator.ui.async_slot import async_slot
from moderator.ui.insight.captions_model import CaptionsModel
from moderator.ui.plain_text import plain_label


class CaptionsPane(QWidget):
    """Follows new lines while scrolled to the bottom; the search box shows matching lines."""

    def __init__(
        self,
        captions: CaptionsService,
        name_of: Callable[[str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("captionsPane")
        self.captions = captions
        self.model = CaptionsModel(captions, name_of, self)
        title = QLabel("CAPTIONS")
        title.setObjectName("paneTitle")
        self.state = plain_label()
        self.state.setObjectName("captionsState")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search what was said…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the transcript")
        self.search.setMaximumWidth(320)
        self.view = QListView()
        self.view.setObjectName("captions")
        self.view.setAccessibleName("Captions")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        top = QHBoxLayout()
        top.setContentsMargins(8, 4, 8, 4)
        top.addWidget(title)
        top.addWidget(self.state, 1)
        top.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.search.textChanged.connect(self._search)
        self.model.rowsInserted.connect(self._follow)
        captions.lines.connect(self.on_line)
        captions.switched.connect(self._show_state)
        captions.ended.connect(self.model.on_ended)
        # the Meeting menu's switch: the same call as the Settings switch, checked as it is
        # no menu letter: every letter of it picks another Meeting entry already (Import… has I)
        self.toggle = QAction("Live captions", self)
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Transcribe every caller, live (Twilio charges per minute)")
        self.toggle.triggered.connect(lambda on: self._switch(bool(on)))
        self._show_state(captions.on)

    @async_slot(bool)
    async def _switch(self, on: bool) -> None:
        await self.captions.set_on(on)  # failures are told by the control (once)
        self.toggle.setChecked(self.captions.on)

    def on_line(self, line: Line) -> None:
        self.model.on_line(line)
        if not line.final:  # a partial grew: keep the newest words in sight
            self._follow(QModelIndex(), 0, 0)

    def set_callers(self, call_sids: frozenset[str]) -> None:
        """Show the lines of these calls (the shown conference's)."""
        self.model.set_callers(call_sids)
        self.view.scrollToBottom()

    def _search(self, words: str) -> None:
        found = self.model.search(words)
        if words.strip():
            self.state.setText(f"{plural(found, 'line')} with “{words.strip()}”")
        else:
            self._show_state(self.captions.on)
            self.view.scrollToBottom()

    def _show_state(self, on: bool) -> None:
        self.toggle.setChecked(on)
        # a console that never captioned keeps the room for the tiles and the log
        self.setVisible(on or bool(self.captions.transcript.finals()))
        if self.model.words:
            return
        self.state.setText("live" if on else "off (Meeting → Live captions)")

    def _follow(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        bar = self.view.verticalScrollBar()
        if bar.value() >= bar.maximum() - 40 and not self.model.words:
            self.view.scrollToBottom()
