"""The status bar: last message, listening URL, webhook health and Twilio connection state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from moderator.control.status import ConnectionState, TwilioStatus
from moderator.domain.clock import utc_now
from moderator.ui.dialogs import wrapped_tip

MESSAGE_MS = 15000
CLICK_HINT = "Click to read or copy all of it"
STALE_AFTER_S = 120  # after this long without a callback, stop showing it as fresh (green)

_TWILIO_WORDS = {
    ConnectionState.CONNECTED: ("Twilio: connected", "statusOk"),
    ConnectionState.UNKNOWN: ("Twilio: not checked yet", ""),
    ConnectionState.NOT_CONFIGURED: ("Twilio: no credentials", "statusWarn"),
    ConnectionState.DEGRADED: ("Twilio: degraded", "statusWarn"),
    ConnectionState.REJECTED: ("Twilio: credentials rejected", "statusError"),
    ConnectionState.UNREACHABLE: ("Twilio: unreachable", "statusError"),
}


def ago(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def _restyle(label: QLabel, name: str) -> None:
    if label.objectName() != name:
        label.setObjectName(name)
        label.style().unpolish(label)
        label.style().polish(label)


class ElidedLabel(QLabel):
    """A one-line label that shrinks with the window and elides its text (full text: tool tip
    and a click, which emits `clicked` so the window can show it in full).

    A plain QLabel asks for its whole text's width, so one long error message would make the
    main window wider than the screen and impossible to shrink.
    """

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._full:
            self.clicked.emit()

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        super().setText(shown if width > 0 else self._full)


class ConsoleStatusBar(QStatusBar):
    """Messages on the left; permanent fields on the right. Errors stay until the next one,
    or until the conference they came from ends. A click on a message asks for it in full."""

    details_requested = Signal(str, str)  # title, the whole text

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.error = ElidedLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # errors name callers
        self.error.setObjectName("statusError")
        self.demo = QLabel("Demo")  # shown only in the demo: nothing here is a real call
        self.demo.setObjectName("demoBadge")
        self.demo.setToolTip("A simulated Twilio on this machine: no account, no real calls")
        self.demo.hide()
        self.listening = QLabel("")
        self.webhook = QLabel("Webhooks: no callback yet")
        self.twilio = QLabel("Twilio: —")
        self.addWidget(self.error, 1)
        for label in (self.demo, self.listening, self.webhook, self.twilio):
            self.addPermanentWidget(label)
        self.last_callback_at: datetime | None = None
        self._twilio_status: TwilioStatus | None = None
        self._twilio_shown_by: Callable[[TwilioStatus], None] | None = None
        self.last_error: str | None = None
        self._error_title = ""
        self.error.clicked.connect(self._error_details)
        self.messageChanged.connect(self._message_changed)

    def show_message(self, level: str, text: str) -> None:
        if level == "error":
            self.last_error = text
            self._error_title = f"Last error ({self._clock().astimezone():%H:%M:%S})"
            self.clearMessage()
            self.error.setText(f"⚠ {text}")
            self.error.setToolTip(wrapped_tip(f"{self._error_title}: {text}", CLICK_HINT))
        else:
            self.showMessage(text, MESSAGE_MS)

    def clear_error(self) -> None:
        """Forget the last error (its conference ended): it does not come back later."""
        self.last_error = None
        self.error.setText("")
        self.error.setToolTip("")

    def _error_details(self) -> None:
        if self.last_error:
            self.details_requested.emit(self._error_title, self.last_error)

    def _message_changed(self, text: str) -> None:
        # The status bar cuts a long message at its edge: the tool tip has all of it.
        self.setToolTip(wrapped_tip(text, CLICK_HINT) if text else "")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        text = self.currentMessage()
        if event.button() == Qt.MouseButton.LeftButton and text:
            self.details_requested.emit("Message", text)

    def set_demo(self, demo: bool) -> None:
        self.demo.setVisible(demo)

    def set_listening(self, text: str) -> None:
        # host and port only, so the message on the left keeps its room; the tip has the URL
        self.listening.setText(f"Callbacks: {urlsplit(text).netloc or text}")
        self.listening.setToolTip(f"The statusCallback URL Twilio must call: {text}")

    def callback_received(self, at: datetime) -> None:
        self.last_callback_at = at
        self.refresh()

    def hand_twilio_to(self, show: Callable[[TwilioStatus], None]) -> None:
        """The readiness marks show Twilio from now on (one Twilio indication, not two):
        the label goes and each state goes to `show`."""
        self._twilio_shown_by = show
        self.twilio.hide()
        if self._twilio_status is not None:
            show(self._twilio_status)

    def set_twilio_state(self, status: TwilioStatus) -> None:
        self._twilio_status = status
        if self._twilio_shown_by is not None:
            self._twilio_shown_by(status)
            return
        text, style = _TWILIO_WORDS[status.state]
        if status.state is ConnectionState.DEGRADED and status.reason:
            text = f"{text}: {status.reason}"
        self.twilio.setToolTip(status.reason or text)
        if self.twilio.text() != text:
            self.twilio.setText(text)
            _restyle(self.twilio, style)

    def refresh(self) -> None:
        """Re-render the webhook age (called by the window's one-second tick)."""
        if self.last_callback_at is None:
            return
        seconds = (self._clock() - self.last_callback_at).total_seconds()
        local = self.last_callback_at.astimezone()
        self.webhook.setText(f"Last callback {local:%H:%M:%S} ({ago(seconds)})")
        _restyle(self.webhook, "" if seconds > STALE_AFTER_S else "statusOk")
