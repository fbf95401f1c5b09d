"""The filter in front of the event log: free text over every column, speech on or off."""

from __future__ import annotations

import re

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
)

from moderator.domain.events import EventKind
from moderator.ui.grid.roles import Role

_SPEECH = {EventKind.SPEECH_START.value, EventKind.SPEECH_STOP.value}


class EventLogFilter(QSortFilterProxyModel):
    """Keeps rows whose text matches (case-insensitive) and hides speech events on request."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(-1)  # any column
        self._show_speech = True
        self._errors_only = False
        self._text = ""

    def set_text(self, text: str) -> None:
        self._text = text.strip()
        self.setFilterRegularExpression(
            QRegularExpression(
                re.escape(text.strip()), QRegularExpression.PatternOption.CaseInsensitiveOption
            )
        )

    def set_show_speech(self, show: bool) -> None:
        if show != self._show_speech:
            self.beginFilterChange()  # Qt 6.10+: invalidateRowsFilter() is deprecated
            self._show_speech = show
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_errors_only(self, errors_only: bool) -> None:
        if errors_only != self._errors_only:
            self.beginFilterChange()
            self._errors_only = errors_only
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self._show_speech and not self._errors_only and not self._text:
            return True  # nothing filtered: every callback's line goes in without a look
        source = self.sourceModel()
        index = source.index(source_row, 0, source_parent)
        if not self._show_speech and source.data(index, Role.EVENT_KIND) in _SPEECH:
            return False
        if self._errors_only and source.data(index, Role.LEVEL) != "error":
            return False
        return super().filterAcceptsRow(source_row, source_parent)
