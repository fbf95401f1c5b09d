"""Asks for the number (and an optional name) to dial into the conference."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from moderator.control.results import ActionResult
from moderator.ui.plain_text import plain_label

log = logging.getLogger(__name__)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
NO_CALLER_ID = (
    "No caller ID yet: enter a number of your Twilio account under Settings → Server "
    "(Caller ID for dial-out), then add the participant."
)
MIN_WIDTH = 440  # the placeholders and the caller-ID hint fit without eliding
CALLING = "Calling…"


@dataclass(frozen=True)
class DialOutRequest:
    number: str
    label: str = ""


PlaceCall = Callable[[DialOutRequest], Awaitable[ActionResult]]


def normalise(number: str) -> str:
    """Drop the spaces, dashes, dots and brackets people type: '+1 (415) 555-0100' -> E.164."""
    return re.sub(r"[\s\-().]", "", number)


def problem_with(number: str, caller_id: str) -> str:
    """Why `number` cannot be dialled from `caller_id` ('' when it can)."""
    if not caller_id:
        return NO_CALLER_ID
    if not number:
        return ""
    if not (E164.match(number) or number.startswith(("client:", "sip:"))):
        return "Use the international format, e.g. +14155550100"
    if number == normalise(caller_id):
        return "That is the caller ID itself: dial someone else's number"
    return ""


class DialOutDialog(QDialog):
    """Number in E.164 (+14155550100) or a client:/sip: address, and a label for the tile.

    Everything is checked here, while the dialog is open: the host never loses what was typed
    to an error that shows up after it closed (a missing caller ID included). With `place`, Call
    sends the request and the dialog stays open until Twilio answers: it closes when the call is
    placed, and shows Twilio's refusal (a number it will not dial, say) beside what was typed.
    """

    def __init__(
        self, caller_id: str = "", parent: QWidget | None = None, place: PlaceCall | None = None
    ) -> None:
        super().__init__(parent)
        self._place = place
        self._placing: asyncio.Future[ActionResult] | None = None
        self.setWindowTitle("Add participant")
        self.setMinimumWidth(MIN_WIDTH)
        self._caller_id = caller_id.strip()
        self.number = QLineEdit()
        self.number.setPlaceholderText("+14155550100")
        self.label = QLineEdit()
        self.label.setPlaceholderText("Name shown on the tile (optional)")
        self.caller = QLabel(f"Calls from {self._caller_id}" if self._caller_id else "")
        self.caller.setObjectName("hint")
        self.problem = plain_label()  # Twilio's reason, naming the number
        self.problem.setObjectName("warning")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.call_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.call_button.setText("Call")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Number", self.number)
        form.addRow("Name", self.label)
        if self._caller_id:
            form.addRow("", self.caller)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.number.textChanged.connect(self._check)
        self._check()

    def request(self) -> DialOutRequest:
        return DialOutRequest(normalise(self.number.text()), self.label.text().strip())

    def accept(self) -> None:
        # Enter in a field also lands here: the dialog stays open while anything is wrong.
        if self._placing is not None or not self._check():
            return
        if self._place is None:
            super().accept()
            return
        self._set_calling(True)
        self._placing = asyncio.ensure_future(self._place(self.request()))
        self._placing.add_done_callback(self._placed)

    def _placed(self, placing: asyncio.Future[ActionResult]) -> None:
        """Twilio answered. A host who closed the dialog meanwhile has the status bar's word."""
        self._placing = None
        if placing.cancelled():
            result = ActionResult(False, "The call was not placed")
        elif (error := placing.exception()) is not None:
            log.error("dial-out failed", exc_info=error)
            result = ActionResult(False, f"The call was not placed: {error}")
        else:
            result = placing.result()
        if result.ok:
            super().accept()
            return
        self._set_calling(False)
        self.problem.setText(result.message or "The call was not placed")
        self.call_button.setDefault(True)  # focus left the disabled button for Cancel: take it
        self.number.setFocus()  # back to fix the number, and Enter tries again

    def _set_calling(self, calling: bool) -> None:
        self.number.setEnabled(not calling)
        self.label.setEnabled(not calling)
        self.call_button.setEnabled(not calling)
        self.call_button.setText(CALLING if calling else "Call")
        if calling:
            self.problem.setText("")

    def _check(self) -> bool:
        number = normalise(self.number.text())
        problem = problem_with(number, self._caller_id)
        self.problem.setText(problem)
        ok = bool(number) and not problem
        self.call_button.setEnabled(ok)
        return ok
