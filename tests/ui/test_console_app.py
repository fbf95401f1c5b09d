"""The composed console in-process: the demo fills the window; closing it stops every part."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import qasync

from moderator.app import Console, ConsoleOptions
from moderator.store.journal import Journal
from moderator.ui.dial_out_dialog import DialOutRequest


def test_closing_the_window_shuts_everything_down(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    console = Console(ConsoleOptions(port=0, data_dir=tmp_path, demo=True, demo_speed=20))
    task = qloop.create_task(console.run())
    qtbot.waitUntil(
        lambda: console.window is not None and console.window.isVisible(), timeout=10000
    )
    qtbot.waitUntil(
        lambda: any(c.headcount >= 4 for c in console.roster.conferences()), timeout=10000
    )
    window, server, simulator = console.window, console.server, console.simulator
    assert window is not None and server is not None and simulator is not None
    assert window.participants.rowCount() == 4

    window.close()  # what the host does: the close button
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()
    assert not window.isVisible()
    assert server.stats.failed == 0
    assert console.journal is None  # closed
    journal = Journal.in_dir(tmp_path)
    assert journal.callback_count() > 0
    journal.close()


def test_saved_settings_apply_while_running(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """A new tunnel URL or conference name takes effect without a restart."""
    console = Console(ConsoleOptions(port=0, data_dir=tmp_path))
    task = qloop.create_task(console.run())
    qtbot.waitUntil(
        lambda: console.window is not None and console.window.isVisible(), timeout=10000
    )
    assert console.window is not None and console.server is not None
    settings = replace(
        console.settings, public_url="https://moderator.example.ngrok.app/", conference_name="Board"
    )
    console.window.settings_changed.emit(settings)
    assert console.server.callback_url == (
        "https://moderator.example.ngrok.app/twilio/conference-events"
    )
    assert console.server.conference_name == "Board"
    assert "ngrok.app" in console.window.status.listening.text()
    console.request_quit()
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()


def test_add_participant_works_in_the_demo(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """The demo presets the simulated account's number as caller ID: dialling out just works."""
    console = Console(ConsoleOptions(port=0, data_dir=tmp_path, demo=True, demo_speed=20))
    task = qloop.create_task(console.run())
    qtbot.waitUntil(
        lambda: console.window is not None and console.window.participants.rowCount() >= 2,
        timeout=10000,
    )
    window = console.window
    assert window is not None
    assert console.settings.caller_id.startswith("+")
    window.controller.ask_dial_out = lambda: DialOutRequest("+14155550177", "Dora")
    window.dial_out_action.trigger()
    qtbot.waitUntil(
        lambda: any(
            window.participants.index(row).data() == "Dora"
            for row in range(window.participants.rowCount())
        ),
        timeout=10000,
    )
    assert "caller ID" not in window.status.error.text()
    console.request_quit()
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()
