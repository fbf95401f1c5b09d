"""Asks for the number (and an optional name) to dial into the conference."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass(frozen=True)
class DialOutRequest:
    number: str
    label: str = ""


def normalise(number: str) -> str:
    """Drop the spaces, dashes, dots and brackets people type: '+1 (415) 555-0100' -> E.164."""
    return re.sub(r"[\s\-().]", "", number)


class DialOutDialog(QDialog):
    """Number in E.164 (+14155550100) or a client:/sip: address, and a label for the tile."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add participant")
        self.number = QLineEdit()
        self.number.setPlaceholderText("+14155550100")
        self.label = QLineEdit()
        self.label.setPlaceholderText("Name shown on the tile (optional)")
        self.problem = QLabel("")
        self.problem.setObjectName("warning")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Call")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Number", self.number)
        form.addRow("Name", self.label)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.number.textChanged.connect(self._check)
        self._check()

    def request(self) -> DialOutRequest:
        return DialOutRequest(normalise(self.number.text()), self.label.text().strip())

    def _check(self) -> None:
        number = normalise(self.number.text())
        valid = bool(E164.match(number)) or number.startswith(("client:", "sip:"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(valid)
        self.problem.setText(
            "" if valid or not number else "Use the international format, e.g. +14155550100"
        )
