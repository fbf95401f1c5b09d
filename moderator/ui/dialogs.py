"""Small standard dialogs in the app's look: confirmations, About, and a message's full text."""

from __future__ import annotations

import html
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from moderator import APP_NAME, __version__
from moderator.ui.look import icons, theme

ICON_SIZE = 40

# The message kinds and the app icon and colour each is drawn with (never the platform theme's).
KINDS = {
    "warning": ("warning", theme.HOLD),
    "error": ("error", theme.ERROR),
    "info": ("info", theme.ACCENT),
    "question": ("help", theme.ACCENT),
}


def wrapped_tip(text: str, hint: str = "") -> str:
    """A tool tip that wraps (Qt wraps rich text only) instead of running off the screen."""
    body = html.escape(text).replace("\n", "<br>")
    return f"<p>{body}</p><p><i>{html.escape(hint)}</i></p>" if hint else f"<p>{body}</p>"


def message_box(
    parent: QWidget | None, kind: str, title: str, text: str, informative: str = ""
) -> QMessageBox:
    """A QMessageBox with the app's SVG icon for `kind` (warning, error, info, question)."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the text may name a caller: never HTML
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    name, colour = KINDS[kind]
    ratio = parent.devicePixelRatioF() if parent is not None else 1.0
    box.setIconPixmap(icons.pixmap(name, ICON_SIZE, colour, ratio))
    return box


def about_box(parent: QWidget | None) -> QMessageBox:
    """Name, version and what it runs on (opened window-modal, without a nested loop)."""
    box = QMessageBox(parent)
    box.setWindowTitle(f"About {APP_NAME}")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"{APP_NAME} {__version__}")
    box.setInformativeText(
        "A desktop console for hosts of Twilio conference calls.\n"
        f"Python {platform.python_version()}, PySide6 {pyside_version}. MIT licence."
    )
    box.setIconPixmap(icons.app_icon().pixmap(64, 64))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box


class DetailsDialog(QDialog):
    """A long message in full: selectable, wrapped, with Copy (for status bar and log lines)."""

    def __init__(
        self, title: str, text: str, parent: QWidget | None = None, *, intro: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumSize(520, 240)
        heading = QLabel(intro or title)
        heading.setObjectName("dialogHeading")
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(icons.icon("copy", QColor(theme.TEXT)), "Copy")
        self.copy_button.setAutoDefault(False)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def append(self, text: str) -> None:
        """Add a later message (e.g. a second error while this one is open)."""
        self.text.appendPlainText(f"\n{text}")
