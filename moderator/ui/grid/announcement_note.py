"""The header's note on the last announcement: sent, played (announcement-end) or failed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from moderator.domain.roster import Change, ChangeKind
from moderator.ui.look import theme

PLAYED_SHOWN_MS = 15_000  # "played" fades after this; a failure stays until the next one


class AnnouncementNote(QLabel):
    """ "Announcing to everyone…", then "Everyone heard the announcement" or "The announcement to
    Alice failed (reason)"; watches the roster's announcement changes of the shown conference."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("announcementNote")
        self.setTextFormat(Qt.TextFormat.PlainText)  # a caller's name is text, never HTML
        self.hide()
        self._sent: dict[tuple[str, str | None], str] = {}  # (conference, call) -> to whom
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.setInterval(PLAYED_SHOWN_MS)
        self._fade.timeout.connect(self.hide)

    def sent(self, conf_sid: str, call_sid: str | None, to_whom: str) -> None:
        self._sent[(conf_sid, call_sid)] = to_whom
        self._show(f"Announcing to {to_whom}…", theme.TEXT_DIM, fade=False)

    def on_changes(self, changes: list[Change], name_of: Callable[[str, str], str]) -> None:
        for change in changes:
            if change.kind not in (ChangeKind.ANNOUNCEMENT_ENDED, ChangeKind.ANNOUNCEMENT_FAILED):
                continue
            key = (change.conference_sid, change.call_sid)
            to_whom = self._sent.pop(key, None)
            if to_whom is None:
                if change.call_sid is None:
                    continue  # not one of this window's (a room's announcement)
                to_whom = name_of(change.conference_sid, change.call_sid)
            if change.kind is ChangeKind.ANNOUNCEMENT_ENDED:
                heard = "Everyone" if to_whom == "everyone" else to_whom
                self._show(f"{heard} heard the announcement", theme.SPEAKING, fade=True)
            else:
                why = f" ({change.reason})" if change.reason else ""
                self._show(f"The announcement to {to_whom} failed{why}", theme.ERROR, fade=False)

    def _show(self, text: str, colour: QColor, *, fade: bool) -> None:
        self.setText(text)
        self.setStyleSheet(f"color: {colour.name()};")
        self.setToolTip(text)
        self.show()
        if fade:
            self._fade.start()
        else:
            self._fade.stop()
