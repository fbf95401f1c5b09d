"""The status bar's readiness: Twilio ✓ · Tunnel ✓ · Number ✓, details on hover, and the hint
a run of signature failures raises."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from moderator.setup.readiness import Check, Readiness

SIGNATURE_HINT = "Twilio signs the exact URL it calls; is the public URL exactly the tunnel's?"
_STYLE = {True: "statusOk", False: "statusError", None: ""}


class ReadinessIndicator(QWidget):
    """Three marks and a hidden hint; a click asks for the setup assistant."""

    setup_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.readiness = Readiness()
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

    def _set(self, name: str, check: Check) -> None:
        label = self.marks[name]
        label.setText(f"{name} {check.mark}")
        label.setToolTip(f"{name}: {check.detail}")
        style = _STYLE[check.ok]
        if label.objectName() != style:
            label.setObjectName(style)
            label.style().unpolish(label)
            label.style().polish(label)

    def _tip(self) -> None:
        lines = [f"{name} {check.mark} {check.detail}" for name, check in self.readiness.lines()]
        if self.hint.isVisible() or not self.hint.isHidden():
            lines.insert(0, self.hint.toolTip())
        lines.append("Click to open the setup assistant")
        self.setToolTip("\n".join(lines))

    def show_signature_hint(self, failures: int, url: str) -> None:
        """`failures` callbacks in a row had a signature that does not match `url`."""
        self.hint.setText("⚠ Signatures fail")
        self.hint.setToolTip(f"{SIGNATURE_HINT} {failures} callbacks in a row did not match {url}")
        self.hint.show()
        self._tip()

    def clear_signature_hint(self) -> None:
        if not self.hint.isHidden():
            self.hint.hide()
            self._tip()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.setup_requested.emit()
