"""Confirmation dialogs run a nested Qt event loop: it must not run inside an asyncio task."""

from __future__ import annotations

import asyncio
from typing import Any

import qasync
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from moderator.ui.bridge import RosterBridge
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, call_sid, team_meeting
from tests.helpers.fake_moderator import FakeModerator

from ..conftest import Feed


def modal_yes(title: str, question: str, verb: str) -> bool:
    """Like QMessageBox.exec(): spin a nested event loop for a moment, then say yes."""
    nested = QEventLoop()
    QTimer.singleShot(30, nested.quit)
    nested.exec()
    return True


def test_kick_confirmation_with_other_tasks_running(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*team_meeting())
    fake = FakeModerator()
    window = MainWindow(bridge, fake)
    qtbot.addWidget(window)
    window.controller.confirm = modal_yes
    errors: list[dict[str, Any]] = []
    qloop.set_exception_handler(lambda loop, context: errors.append(context))
    # A task that wakes up while the dialog is open (as webhooks and REST calls do).
    ticker = qloop.create_task(asyncio.sleep(0.01))
    window.grid.kick_requested.emit(call_sid("Charles"))
    window.controller.end_conference()
    qtbot.waitUntil(lambda: len(fake.calls) == 2, timeout=2000)
    qtbot.waitUntil(ticker.done, timeout=2000)
    assert fake.calls == [
        ("kick", CONFERENCE_SID, call_sid("Charles")),
        ("end_conference", CONFERENCE_SID),
    ]
    assert errors == []
