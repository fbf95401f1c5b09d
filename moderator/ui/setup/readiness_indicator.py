"""The status bar's readiness: Twilio ✓ · Tunnel ✓ · Number ✓, details on hover, and the hint
a run of signature failures raises."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from moderator.control.status import ConnectionState, TwilioStatus
from moderator.setup.readiness import Check, Readiness

SIGNATURE_HINT = "Twilio signs the exact URL it calls; is the public URL exactly the tunnel's?"
_STYLE = {True: "statusOk", False: "statusError", None: ""}
# What the live REST state makes of the Twilio mark (the other states keep the setup check's)
_LIVE = {
    ConnectionState.CONNECTED: ("✓", "statusOk", "connected"),
    ConnectionState.DEGRADED: ("⚠", "statusWarn", "degraded"),
    ConnectionState.REJECTED: ("✗", "statusError", "credentials rejected"),
    ConnectionState.UNREACHABLE: ("✗", "statusError", "unreachable"),
}


class ReadinessIndicator(QWidget):
    """Three marks and a hidden hint; a click asks for the setup assistant."""

    setup_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.readiness = Readiness()
        self.live: TwilioStatus | None = None  # the console's REST state, newer than a check
        self.marks = {name: QLabel() for name in ("Twilio", "Tunnel", "Number")}
        self.hint = QLabel("")
        self.hint.setObjectName("statusError")
        self.hint.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.hint)
        for index, label in enumerate(self.marks.values()):
            if index:
                layout.addWidget(QLabel("·"))
            layout.addWidget(label)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.set_readiness(self.readiness)

    def set_readiness(self, readiness: Readiness) -> None:
        self.readiness = readiness
        for name, check in readiness.lines():
            self._set(name, check)
        self._tip()

    def set_live_twilio(self, status: TwilioStatus) -> None:
        """The Twilio mark carries the console's live REST state: ✓ connected, ⚠ degraded
        (the reason in the tool tip), ✗ unreachable or rejected."""
        if status == self.live:
            return
        self.live = status
        self._set("Twilio", self.readiness.twilio)
        self._tip()

    def _live_twilio(self, check: Check) -> tuple[str, str, str]:
        """Mark, style and detail of the Twilio link: the live state when there is one."""
        live = _LIVE.get(self.live.state) if self.live else None
        if live is None or self.live is None:
            return check.mark, _STYLE[check.ok], check.detail
        mark, style, words = live
        reason = f": {self.live.reason}" if self.live.reason else ""
        return mark, style, f"{words}{reason} (setup check: {check.mark} {check.detail})"

    def _set(self, name: str, check: Check) -> None:
        label = self.marks[name]
        mark, style, detail = (
            self._live_twilio(check)
            if name == "Twilio"
            else (check.mark, _STYLE[check.ok], check.detail)
        )
        label.setText(f"{name} {mark}")
        label.setToolTip(f"{name}: {detail}")
        if label.objectName() != style:
            label.setObjectName(style)
            label.style().unpolish(label)
            label.style().polish(label)

    def _tip(self) -> None:
        lines = [label.toolTip() for label in self.marks.values()]
        if self.readiness.music.ok is not None:  # the host's hold music: does it play?
            lines.append(f"Music {self.readiness.music.mark} {self.readiness.music.detail}")
        if self.hint.isVisible() or not self.hint.isHidden():
            lines.insert(0, self.hint.toolTip())
        lines.append("Click to open the setup assistant")
        self.setToolTip("\n".join(lines))

    def show_signature_hint(self, what: str, url: str) -> bool:
        """Twilio signed `url`, not the public URL (`what`: how it differs); True when this
        is news (the hint was hidden or said something else)."""
        tip = f"{SIGNATURE_HINT} Twilio signed {url} ({what})"
        news = self.hint.isHidden() or self.hint.toolTip() != tip
        self.hint.setText("⚠ Signatures fail")
        self.hint.setToolTip(tip)
        self.hint.show()
        self._tip()
        return news

    def clear_signature_hint(self) -> None:
        if not self.hint.isHidden():
            self.hint.hide()
            self._tip()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.setup_requested.emit()
