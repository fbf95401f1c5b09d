"""The captions pane's lines: the shown conference's callers, a partial result shown and then
replaced in place by the longer one or its final; or, while the host searches, the meeting's
final lines holding the words."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from moderator.control.interface import CaptionsService
from moderator.domain.transcripts import Line
from moderator.ui.look import theme
from moderator.ui.plain_text import plain_tip

_Index = QModelIndex | QPersistentModelIndex
MAX_ROWS = 200  # the live view keeps the last lines; the search reads the whole transcript


class Role(IntEnum):
    LINE = Qt.ItemDataRole.UserRole + 1
    FINAL = Qt.ItemDataRole.UserRole + 2


class CaptionsModel(QAbstractListModel):
    """One row per caption line, oldest first."""

    def __init__(
        self,
        captions: CaptionsService,
        name_of: Callable[[str], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._captions = captions
        self._name_of = name_of  # CallSid -> the one display name (domain/names.py)
        self._callers: frozenset[str] = frozenset()
        self._rows: list[Line] = []
        self.words = ""  # the search; "" shows the live lines

    # ---- feeding ---------------------------------------------------------------------------

    def set_callers(self, call_sids: frozenset[str]) -> None:
        """The shown conference's calls: only their lines are shown."""
        if call_sids != self._callers:
            self._callers = call_sids
            self._reload()

    def search(self, words: str) -> int:
        """Show the final lines holding `words` (all of the meeting's); "" goes back to the
        live lines. Returns how many rows are shown."""
        self.words = words.strip()
        self._reload()
        return len(self._rows)

    def on_line(self, line: Line) -> None:
        """A caption shown or replaced (partial → longer partial → final), in place."""
        if self.words or line.call_sid not in self._callers:
            return
        for row in range(len(self._rows) - 1, -1, -1):
            shown = self._rows[row]
            if shown.transcription_sid == line.transcription_sid and not shown.final:
                self._rows[row] = line
                index = self.index(row)
                self.dataChanged.emit(index, index)
                return
        if len(self._rows) >= MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            del self._rows[0]
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(line)
        self.endInsertRows()

    def on_ended(self, transcription_sid: str) -> None:
        """A transcription stopped or failed: its partial shown, never to be final, goes."""
        for row in range(len(self._rows) - 1, -1, -1):
            shown = self._rows[row]
            if shown.transcription_sid == transcription_sid and not shown.final:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                return

    def _reload(self) -> None:
        transcript = self._captions.transcript
        self.beginResetModel()
        if self.words:
            self._rows = transcript.search(self.words, self._callers)
        else:
            finals = transcript.finals(self._callers)[-MAX_ROWS:]
            partials = [p for p in transcript.partials() if p.call_sid in self._callers]
            self._rows = finals + partials
        self.endResetModel()

    # ---- QAbstractListModel ----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def line(self, row: int) -> Line | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def text(self, line: Line) -> str:
        return f"{self._name_of(line.call_sid)}: {line.text}"

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line(index.row()) if index.isValid() else None
        if line is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(line) + ("" if line.final else " …")
        if role == Qt.ItemDataRole.ToolTipRole:
            when = line.at.astimezone().strftime("%H:%M:%S")
            state = "" if line.final else " (still speaking)"
            return plain_tip(f"{when}{state}\n{self.text(line)}")
        if role == Qt.ItemDataRole.FontRole and not line.final:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and not line.final:
            return theme.TEXT_DIM
        if role == Role.LINE:
            return line
        if role == Role.FINAL:
            return line.final
        return None
