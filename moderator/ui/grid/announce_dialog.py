"""*Announce…*: the text the callers hear read aloud, with the host's recent texts to pick from.

Recent texts are kept in the console's settings file (QSettings), newest first. A text with a run
of four or more digits is not written there (it may be a PIN, a code or a phone number): it is
offered again only until the console closes.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QWidget

from moderator.domain.announcements import MAX_ANNOUNCEMENT_CHARS

RECENT_KEY = "announcements/recent"
KEEP = 8  # recent texts offered
ANNOUNCE_WIDTH = 520  # a sentence reads whole
_SECRET_LIKE = re.compile(r"\d{4,}")


def may_keep(text: str) -> bool:
    """Whether `text` may be written to the settings file (no run of 4+ digits)."""
    return _SECRET_LIKE.search("".join(text.split("-"))) is None


class RecentTexts:
    """The host's recent announcements: saved (when a store is given) unless secret-like."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store
        self._session: list[str] = []  # this run's, the secret-like ones included
        saved = store.value(RECENT_KEY, []) if store is not None else []
        if isinstance(saved, str):  # QSettings returns one item as a plain string
            saved = [saved]
        listed = saved if isinstance(saved, list) else []
        self._saved = [str(t)[:MAX_ANNOUNCEMENT_CHARS] for t in listed if str(t).strip()][:KEEP]

    def items(self) -> list[str]:
        merged = list(dict.fromkeys([*self._session, *self._saved]))
        return merged[:KEEP]

    def remember(self, text: str) -> None:
        text = " ".join(text.split())[:MAX_ANNOUNCEMENT_CHARS]
        if not text:
            return
        self._session = [text, *[t for t in self._session if t != text]][:KEEP]
        if may_keep(text):
            self._saved = [text, *[t for t in self._saved if t != text]][:KEEP]
            if self._store is not None:
                self._store.setValue(RECENT_KEY, self._saved)


def ask_announcement(parent: QWidget | None, to_whom: str, recent: list[str]) -> str | None:
    """The host's text for `to_whom` ("everyone", "Alice"); None: cancelled."""
    dialog = announcement_dialog(parent, to_whom, recent)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    text = dialog.textValue().strip()
    dialog.deleteLater()
    return text if accepted and text else None


def announcement_dialog(parent: QWidget | None, to_whom: str, recent: list[str]) -> QInputDialog:
    """The dialog `ask_announcement` shows: the recent texts offered, the newest chosen."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Announce")
    dialog.setLabelText(
        f"Say to {to_whom} (read aloud by Twilio, up to {MAX_ANNOUNCEMENT_CHARS} characters):"
    )
    dialog.setComboBoxItems(recent or [""])
    dialog.setComboBoxEditable(True)
    dialog.setTextValue(recent[0] if recent else "")
    dialog.setMinimumWidth(ANNOUNCE_WIDTH)
    for label in dialog.findChildren(QLabel):  # the prompt names a caller: text, never HTML
        label.setTextFormat(Qt.TextFormat.PlainText)
    for combo in dialog.findChildren(QComboBox):
        edit = combo.lineEdit()
        if edit is not None:
            edit.setMaxLength(MAX_ANNOUNCEMENT_CHARS)
            edit.selectAll()
    return dialog
