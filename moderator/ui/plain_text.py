"""Text a caller or Twilio supplies (names, numbers, conference names) shown as text, never HTML.

Qt guesses: a QLabel in its default AutoText format, a tooltip, a QMessageBox and a QInputDialog
render their text as HTML when it looks like HTML (`Qt.mightBeRichText`), so a conference named
`<h1 style="color:red">FAKE: account suspended</h1>` became a red headline. Labels that show
such text are set to PlainText; tooltips, which have no format of their own, get the text
converted to HTML that shows it literally.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` as written (and wraps: Qt wraps rich text tooltips only)."""
    if not text:
        return ""
    return QtGui.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never reads its text as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def menu_text(text: str) -> str:
    """`text` as a menu entry or button: '&' marks a shortcut key there, so "AT&T" is doubled."""
    return text.replace("&", "&&")


def ask_text(parent: QWidget, title: str, prompt: str, current: str = "") -> str | None:
    """QInputDialog.getText with a plain-text prompt (it may name a caller); None: cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setLabelText(prompt)
    dialog.setTextValue(current)
    for label in dialog.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    text = dialog.textValue()
    dialog.deleteLater()
    return text if accepted else None
