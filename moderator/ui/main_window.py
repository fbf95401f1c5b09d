"""The main window: conferences and their participants, live."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QMainWindow, QSplitter

from moderator import APP_NAME
from moderator.domain.roster import Change, Participant
from moderator.ui.bridge import RosterBridge


def describe(participant: Participant) -> str:
    flags = [
        word
        for word, on in (
            ("muted", participant.muted),
            ("on hold", participant.hold),
            ("speaking", participant.speaking),
            ("presenter", participant.presenter),
            (
                f"pending {participant.pending.kind.value}" if participant.pending else "",
                participant.pending,
            ),
        )
        if on
    ]
    return participant.display_name + (f"  ({', '.join(flags)})" if flags else "")


class MainWindow(QMainWindow):
    """Conference list on the left, participants of the selected one on the right."""

    close_requested = Signal()

    def __init__(self, bridge: RosterBridge) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1000, 640)
        self._bridge = bridge
        self.conferences = QListWidget()
        self.participants = QListWidget()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.conferences)
        splitter.addWidget(self.participants)
        splitter.setSizes([300, 700])
        self.setCentralWidget(splitter)
        self.listening = QLabel("")
        self.statusBar().addPermanentWidget(self.listening)
        bridge.changed.connect(self._on_changes)
        bridge.message.connect(lambda level, text: self.statusBar().showMessage(text, 10000))
        self.conferences.currentRowChanged.connect(lambda _row: self._show_participants())
        self._refresh_conferences()

    def set_listening(self, text: str) -> None:
        self.listening.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()  # the app shuts down in order, then hides the window
        self.close_requested.emit()

    def _on_changes(self, changes: list[Change]) -> None:
        self._refresh_conferences()

    def _refresh_conferences(self) -> None:
        roster = self._bridge.roster
        current = self.conferences.currentItem()
        selected = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.conferences.blockSignals(True)
        self.conferences.clear()
        for conference in roster.conferences():
            name = conference.friendly_name or conference.sid
            item = QListWidgetItem(f"{name}  [{conference.status}, {conference.headcount}]")
            item.setData(Qt.ItemDataRole.UserRole, conference.sid)
            self.conferences.addItem(item)
            if conference.sid == selected or selected is None:
                self.conferences.setCurrentItem(item)
        self.conferences.blockSignals(False)
        self._show_participants()

    def _show_participants(self) -> None:
        self.participants.clear()
        item = self.conferences.currentItem()
        if item is None:
            return
        for participant in self._bridge.roster.participants(
            item.data(Qt.ItemDataRole.UserRole), present_only=True
        ):
            self.participants.addItem(describe(participant))
