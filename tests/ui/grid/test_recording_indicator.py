"""The REC indicator against the simulator: its menu pauses, resumes and stops the recording,
showing the change pending until the recording callback confirms it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication, QMessageBox

from moderator.sim.records import LINE_NUMBER
from moderator.ui.grid.recording_indicator import PAUSED_TEXT, RECORDING_TEXT, RecordingIndicator

from ..conftest import console_on_simulator


def test_rec_indicator_pause_resume_stop(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with console_on_simulator(qtbot, qloop, tmp_path, seed=4, record=True) as console:
        sim, core, window = console.sim, console.core, console.window
        assert core.recordings is not None
        indicator = RecordingIndicator(core.recordings, lambda: window.conference_sid)
        window.header.add_badge(indicator)
        console.bridge.changed.connect(lambda *_: indicator.refresh())
        shown: list[str] = []
        core.recordings.changed.connect(lambda _sid: shown.append(indicator.text()))
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

        # stopping cannot be undone: the host is asked first, and Cancel keeps it recording
        asked: list[str] = []
        answer = {"role": QMessageBox.ButtonRole.RejectRole}

        def exec_(box: QMessageBox) -> int:
            asked.append(box.text())
            (button,) = [b for b in box.buttons() if box.buttonRole(b) == answer["role"]]
            button.click()
            return 0

        monkeypatch.setattr(QMessageBox, "exec", exec_)
        indicator.stop_action.trigger()
        qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
        assert asked == ["Stop recording this meeting?"]
        assert indicator.text() == RECORDING_TEXT and "Stopping…" not in shown
        answer["role"] = QMessageBox.ButtonRole.DestructiveRole
        indicator.stop_action.trigger()
        qtbot.waitUntil(lambda: indicator.isHidden(), timeout=5000)
        assert len(asked) == 2
        conf = window.conference_sid
        assert conf is not None
        qtbot.waitUntil(
            lambda: core.recordings.state(conf).status in ("completed", "absent"),  # type: ignore[union-attr]
            timeout=5000,
        )
        assert not window.status.error.text()
        # nothing to stop now: the menu (the Meeting menu's Recording submenu too) says so
        assert not any(a.isEnabled() for a in indicator.menu_.actions() if not a.isSeparator())


def test_the_meeting_menu_holds_the_recording_controls(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    with console_on_simulator(qtbot, qloop, tmp_path, seed=4, record=True) as console:
        core, window = console.core, console.window
        assert core.recordings is not None
        indicator = RecordingIndicator(core.recordings, lambda: window.conference_sid)
        window.window_actions.add_meeting_submenu(indicator.menu_)
        meeting = window.window_actions.meeting_menu
        titles = [a.text() for a in meeting.actions()]
        assert "&Recording" in titles
        assert titles.index("&Recording") < titles.index(window.window_actions.end.text())
        assert [a.text() for a in indicator.menu_.actions() if not a.isSeparator()] == [
            "Pause recording",
            "Resume recording",
            "Stop recording",
        ]
