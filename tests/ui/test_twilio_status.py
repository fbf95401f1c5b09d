"""The status bar's Twilio field follows control's ConnectionState, reason included."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from moderator.control.status import ConnectionState, TwilioStatus, status_for
from moderator.ui.status_bar import ConsoleStatusBar


def test_every_state_has_words_and_degraded_says_why(qtbot: Any, themed: QApplication) -> None:
    bar = ConsoleStatusBar()
    qtbot.addWidget(bar)
    for state in ConnectionState:
        bar.set_twilio_state(TwilioStatus(state))
        assert bar.twilio.text().startswith("Twilio: ")
    bar.set_twilio_state(status_for(503))
    assert bar.twilio.text() == "Twilio: degraded: Twilio answers with server errors (503)"
    assert bar.twilio.objectName() == "statusWarn"
    bar.set_twilio_state(status_for(204))
    assert bar.twilio.text() == "Twilio: connected"
    bar.set_twilio_state(status_for(None))
    assert bar.twilio.text() == "Twilio: unreachable"
    bar.set_twilio_state(status_for(401))
    assert bar.twilio.text() == "Twilio: credentials rejected"
    bar.set_twilio_state(status_for(404))  # a real answer about a participant: Twilio is fine
    assert bar.twilio.text() == "Twilio: connected"
