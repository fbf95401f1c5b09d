"""The REC indicator against the simulator: its menu pauses, resumes and stops the recording,
showing the change pending until the recording callback confirms it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from moderator.sim.records import LINE_NUMBER
from moderator.ui.grid.recording_indicator import PAUSED_TEXT, RECORDING_TEXT, RecordingIndicator

from ..conftest import console_on_simulator


def test_rec_indicator_pause_resume_stop(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    with console_on_simulator(qtbot, qloop, tmp_path, seed=4, record=True) as console:
        sim, core, window = console.sim, console.core, console.window
        assert core.recordings is not None
        indicator = RecordingIndicator(core.recordings, lambda: window.conference_sid)
        window.header.add_badge(indicator)
        console.bridge.changed.connect(lambda *_: indicator.refresh())
        shown: list[str] = []
        core.recordings.listeners.append(lambda _sid: shown.append(indicator.text()))
        window.show()
        qtbot.waitExposed(window)
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
