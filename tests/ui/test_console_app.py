"""The composed console in-process: the demo fills the window; closing it stops every part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qasync

from moderator.app import Console, ConsoleOptions
from moderator.store.journal import Journal


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
