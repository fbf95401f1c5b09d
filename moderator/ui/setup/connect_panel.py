"""'How to connect': the exact statusCallback URL, the voice URL and the TwiML to paste."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit
from xml.dom import minidom

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH, VOICE_PATH
from moderator.domain.twiml import join_conference
from moderator.ui.plain_text import plain_label


def base_url(public_url: str, port: int) -> str:
    """What Twilio calls: the public URL (tunnel) when set, else this machine on `port`."""
    public = public_url.strip().rstrip("/")
    return public or f"http://127.0.0.1:{port}"


class ConnectPanel(QWidget):
    """Read-only, copyable URLs and TwiML that follow the public URL and conference name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.callback_url = self._field(mono)
        self.voice_url = self._field(mono)
        self.twiml = QPlainTextEdit()
        self.twiml.setReadOnly(True)
        self.twiml.setFont(mono)
        self.twiml.setMinimumHeight(150)
        self.warning = plain_label()
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        intro = QLabel(
            "Point your Twilio number's Voice webhook (HTTP POST) at the voice URL: the console "
            "answers with TwiML that puts callers in the conference and asks Twilio to send every "
            "conference event to the status callback URL. Or paste the TwiML into your own app."
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        grid = QGridLayout()
        rows = (
            ("Voice URL (POST)", self.voice_url),
            ("statusCallback URL", self.callback_url),
        )
        for row, (name, field) in enumerate(rows):
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(self._copy_button(field.text, name), row, 2)
        # the TwiML's Copy sits on its heading's row, beside it, never over the text
        heading = QHBoxLayout()
        heading.addWidget(QLabel("TwiML"))
        heading.addStretch(1)
        heading.addWidget(self._copy_button(self.twiml.toPlainText, "TwiML"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addLayout(heading)
        layout.addWidget(self.twiml, 1)
        layout.addWidget(self.warning)

    def _field(self, font: QFont) -> QLineEdit:
        field = QLineEdit()
        field.setReadOnly(True)
        field.setFont(font)
        return field

    def _copy_button(self, text: Callable[[], str], what: str) -> QPushButton:
        button = QPushButton("Copy")
        button.setToolTip(f"Copy the {what}")
        button.clicked.connect(lambda: QGuiApplication.clipboard().setText(text()))
        return button

    def update_for(
        self, public_url: str, port: int, conference_name: str, live_base: str | None = None
    ) -> None:
        """Show the URLs for `public_url` and `port`, or `live_base` (where the running console
        is reached now, which the command line may have set) when given."""
        base = live_base.rstrip("/") if live_base else base_url(public_url, port)
        callback = base + CONFERENCE_EVENTS_PATH
        self.callback_url.setText(callback)
        self.voice_url.setText(base + VOICE_PATH)
        twiml = join_conference(conference_name or "TeamMeeting", callback)
        self.twiml.setPlainText(_pretty(twiml))
        parts = urlsplit(base)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if local and (public_url.strip() or live_base):
            # a URL the host gave and the assistant accepted: it is one, just not reachable
            # from Twilio's servers (a rehearsal against `moderator sim` uses exactly that)
            self.warning.setText(
                f"{base} is on this machine: a simulator here reaches it, Twilio's servers "
                f"do not. For a real call, use a tunnel's https:// address (e.g. ngrok http "
                f"{parts.port or port})."
            )
        elif local:
            self.warning.setText(
                "No public URL: Twilio cannot reach 127.0.0.1. Start a tunnel (e.g. ngrok http "
                f"{parts.port or port}) and enter its https:// address as the public URL."
            )
        elif parts.scheme != "https":
            self.warning.setText("Twilio expects an https:// public URL.")
        else:
            self.warning.setText("")


def _pretty(xml: str) -> str:
    """The TwiML on separate lines, easier to read and paste."""
    return minidom.parseString(xml).toprettyxml(indent="  ").strip()
