"""The status bar's Twilio field follows control's ConnectionState, reason included."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QMainWindow

from moderator.control.status import ConnectionState, TwilioStatus, status_for
from moderator.setup.readiness import Check, Readiness
from moderator.ui.setup.readiness_indicator import ReadinessIndicator
from moderator.ui.shell.status_bar import ConsoleStatusBar


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


def test_one_twilio_indication_when_the_readiness_marks_show(
    qtbot: Any, themed: QApplication
) -> None:
    window = QMainWindow()
    bar = ConsoleStatusBar(window)
    window.setStatusBar(bar)
    qtbot.addWidget(window)
    indicator = ReadinessIndicator()
    bar.addPermanentWidget(indicator)
    indicator.set_readiness(Readiness(twilio=Check(True, "account AC… answers"), checked=True))
    bar.set_twilio_state(status_for(503))  # before the hand-over: replayed to the mark
    bar.hand_twilio_to(indicator.set_live_twilio)
    bar.set_listening("http://127.0.0.1:46737/twilio/conference-events")
    window.resize(1360, 400)
    window.show()
    qtbot.waitExposed(window)
    assert bar.twilio.isHidden()
    twilio = indicator.marks["Twilio"]
    assert twilio.text() == "Twilio ⚠" and twilio.objectName() == "statusWarn"
    assert "degraded: Twilio answers with server errors (503)" in twilio.toolTip()
    bar.set_twilio_state(status_for(204))
    assert (twilio.text(), twilio.objectName()) == ("Twilio ✓", "statusOk")
    bar.set_twilio_state(status_for(None))
    assert (twilio.text(), twilio.objectName()) == ("Twilio ✗", "statusError")
    assert "unreachable" in indicator.toolTip()
    # the listening field names host and port (the URL is in its tip): the message keeps room
    assert bar.listening.text() == "Callbacks: 127.0.0.1:46737"
    assert "/twilio/conference-events" in bar.listening.toolTip()
    permanent = bar.listening.width() + bar.webhook.width() + indicator.width()
    assert permanent < bar.width() // 2
