"""The event log pane: a filter box, speech/errors toggles and the table of events."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from moderator.ui.log.event_log_filter import EventLogFilter
from moderator.ui.log.event_log_model import COLUMNS, DETAILS, EventLogModel, full_text


class EventLogPane(QWidget):
    """Shows `model` through a filter; follows new rows while scrolled to the bottom.

    A line's details are cut at the column's edge: its tool tip holds all of it, and a
    double click or Enter asks for it in full (details_requested).
    """

    details_requested = Signal(str, str)  # title, the whole text

    def __init__(self, model: EventLogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = EventLogFilter(self)
        self.proxy.setSourceModel(model)
        title = QLabel("EVENT LOG")
        title.setObjectName("paneTitle")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: name, event, conference…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(320)
        self.speech = QCheckBox("Speech")
        self.speech.setChecked(True)
        self.speech.setToolTip("Show started/stopped speaking events")
        self.errors = QCheckBox("Errors only")
        self.table = QTableView()
        self.table.setObjectName("eventLog")
        self.table.setAccessibleName("Event log")
        self.table.setModel(self.proxy)
        self.table.setShowGrid(False)
        # Tab leaves the log for the next widget (a table's default moves between its cells,
        # so a keyboard host who tabbed in could never get out)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in zip(range(len(COLUMNS)), (80, 150, 180, 150), strict=False):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 8, 0)
        bar.addWidget(title)
        bar.addStretch(1)
        bar.addWidget(self.speech)
        bar.addWidget(self.errors)
        bar.addWidget(self.filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.table)

        self.filter.textChanged.connect(self.proxy.set_text)
        self.speech.toggled.connect(self.proxy.set_show_speech)
        self.errors.toggled.connect(self.proxy.set_errors_only)
        self._follow = True
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.proxy.rowsInserted.connect(self._rows_added)
        self.table.activated.connect(self._open_details)  # double click, or Enter

    def _open_details(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        if source.isValid():
            entry = self.model.entry(source.row())
            title = f"{entry.event} at {entry.at.astimezone():%H:%M:%S}"
            self.details_requested.emit(title, full_text(entry))

    def _scrolled(self, value: int) -> None:
        self._follow = value >= self.table.verticalScrollBar().maximum() - 2

    def _rows_added(self) -> None:
        # Keep the newest line in view unless the host scrolled up to read something.
        if self._follow:
            self.table.scrollToBottom()
