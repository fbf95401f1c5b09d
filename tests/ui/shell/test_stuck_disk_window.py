"""The window keeps repainting, and a click is shown, sent and confirmed, while the disk sticks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from moderator.domain.roster import Participant
from moderator.ui.grid.roles import Role
from tests.helpers.stuck_disk import StuckDisk, stuck_disk

from ..conftest import console_on_simulator, run


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[StuckDisk]:
    yield from stuck_disk(monkeypatch)


class PaintsWhileStuck(QObject):
    """Counts the paints a widget gets while the disk holds a write."""

    def __init__(self, disk: StuckDisk) -> None:
        super().__init__()
        self.disk = disk
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.disk.stuck > 0:
            self.count += 1
        return False


def test_a_click_is_confirmed_and_painted_while_the_disk_is_stuck(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, tmp_path: Path, disk: StuckDisk
) -> None:
    with console_on_simulator(
        qtbot,
        qloop,
        tmp_path,
        seed=3,
        control_options={"confirm_grace": 0.5, "reconcile_debounce": 0.05},
    ) as console:
        sim, core, window = console.sim, console.core, console.window
        window.show()
        qtbot.waitExposed(window)
        paints = PaintsWhileStuck(disk)
        window.grid.viewport().installEventFilter(paints)
        try:
            conf = sim.create_conference("TeamMeeting", status_callback=core.server.callback_url)
            run(qtbot, qloop, sim.join(conf, label="Mary", number="+14155550000"))
            alice = run(qtbot, qloop, sim.join(conf, label="Alice", number="+14155550001"))
            run(qtbot, qloop, sim.drain())
            qtbot.waitUntil(lambda: window.participants.rowCount() == 2, timeout=5000)
            model = window.participants

            def tile() -> Participant:
                value = model.index(model.row_of(alice)).data(Role.PARTICIPANT)
                assert isinstance(value, Participant)
                return value

            disk.freeze()
            rect = window.grid.visualRect(model.index(model.row_of(alice)))
            qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            # the mute's callback is answered only after the disk comes back; the tile is not
            # held up
            qtbot.waitUntil(lambda: tile().muted and tile().pending is None, timeout=20000)
            assert disk.stuck > 0
            qtbot.waitUntil(lambda: paints.count > 0, timeout=5000)  # repainted while stuck
            disk.thaw()
            run(qtbot, qloop, sim.drain(), timeout=20000)
            assert "MainThread" not in disk.threads
        finally:
            disk.thaw()  # before the console closes: its journal drains first
            window.grid.viewport().removeEventFilter(paints)
