"""The REC indicator against the simulator: its menu pauses, resumes and stops the recording,
showing the change pending until the recording callback confirms it."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from moderator.core import CoreConfig, build_core
from moderator.domain.roster import Roster
from moderator.settings import Settings
from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.ui.bridge import RosterBridge
from moderator.ui.main_window import MainWindow
from moderator.ui.recording_indicator import PAUSED_TEXT, RECORDING_TEXT, RecordingIndicator

from .conftest import run


def test_rec_indicator_pause_resume_stop(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    sim = Simulator(seed=4, speed=50.0, faults=Faults(), callback_retry_delay=0.01)
    roster = Roster()
    bridge = RosterBridge(roster)
    config = CoreConfig(
        data_dir=tmp_path,
        settings=Settings(rest_timeout=2.0),
        roster=roster,
        simulator=sim,
        event_listeners=[bridge.on_event],
        notify=bridge.message.emit,
        record=True,
    )
    parts = AsyncExitStack()
    core = run(qtbot, qloop, build_core(config, parts))
    assert core.recordings is not None
    window = MainWindow(bridge, core.control)
    qtbot.addWidget(window)
    indicator = RecordingIndicator(core.recordings, lambda: window.conference_sid)
    window.header.add_badge(indicator)
    bridge.changed.connect(lambda *_: indicator.refresh())
    shown: list[str] = []
    core.recordings.listeners.append(lambda _sid: shown.append(indicator.text()))
    window.show()
    qtbot.waitExposed(window)
    try:
        assert indicator.isHidden()
        sim.set_voice_url(LINE_NUMBER, core.server.voice_url)
        sim.place_call("+13125550101", LINE_NUMBER)
        sim.place_call("+14155550102", LINE_NUMBER)
        qtbot.waitUntil(lambda: indicator.isVisible(), timeout=10000)
        assert indicator.text() == RECORDING_TEXT
        assert indicator.pause_action.isEnabled() and not indicator.resume_action.isEnabled()

        indicator.pause_action.trigger()
        qtbot.waitUntil(lambda: indicator.text() == PAUSED_TEXT, timeout=5000)
        assert "Pausing…" in shown  # pending until the paused callback
        assert indicator.resume_action.isEnabled() and not indicator.pause_action.isEnabled()

        indicator.resume_action.trigger()
        qtbot.waitUntil(lambda: indicator.text() == RECORDING_TEXT, timeout=5000)
        assert "Resuming…" in shown

        indicator.stop_action.trigger()
        qtbot.waitUntil(lambda: indicator.isHidden(), timeout=5000)
        conf = window.conference_sid
        assert conf is not None
        qtbot.waitUntil(
            lambda: core.recordings.state(conf).status in ("completed", "absent"),  # type: ignore[union-attr]
            timeout=5000,
        )
        assert not window.status.error.text()
    finally:
        run(qtbot, qloop, parts.aclose())
        bridge.detach()
