"""What a host notices: the window's layout comes back, bulk mute icons differ, pending pulses."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QEvent, QObject, QRect, QSettings, QSize
from PySide6.QtGui import QImage, QPaintEvent
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from moderator.domain.actions import ActionKind
from moderator.domain.roster import Roster
from moderator.settings import Settings
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.tile_delegate import hourglass_angle
from moderator.ui.shell import layout_file
from moderator.ui.shell.layout_file import read_layout
from moderator.ui.shell.main_window import MainWindow, fitting_size
from tests.forms import CONFERENCE_SID, START, call_sid, team_meeting

from ..conftest import Feed


def _icon_image(window: MainWindow, attribute: str) -> QImage:
    action = getattr(window, attribute)
    return action.icon().pixmap(24, 24).toImage()


def test_mute_everyone_has_its_own_icon(qtbot: Any, window: MainWindow) -> None:
    everyone = _icon_image(window, "mute_everyone_action")
    but_presenter = _icon_image(window, "mute_all_action")
    assert not everyone.isNull() and not but_presenter.isNull()
    assert everyone != but_presenter
    # Narrow window: icons only, and the two buttons still look different.
    window.resize(520, 600)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle().name == "ToolButtonIconOnly")
    buttons = [
        window.toolbar.widgetForAction(a)
        for a in (window.mute_all_action, window.mute_everyone_action)
    ]
    assert all(isinstance(b, QToolButton) for b in buttons)
    assert buttons[0].grab().toImage() != buttons[1].grab().toImage()


def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def open_window(qtbot: Any, bridge: RosterBridge, store: QSettings | None) -> MainWindow:
    made = MainWindow(bridge, None, Settings(), settings_store=store)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


def rearrange(window: MainWindow) -> tuple[list[int], list[int]]:
    """Resize the window and drag both splitters somewhere that is not their default."""
    window.resize(720, 540)  # fits the offscreen 800x600 screen
    window.splitter.setSizes([300, 420])
    window.log_splitter.setSizes([240, 180])
    QApplication.processEvents()
    return window.splitter.sizes(), window.log_splitter.sizes()


@pytest.mark.parametrize("how", ["close", "hide"])
def test_window_layout_is_remembered(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    feed: Feed,
    tmp_path: Path,
    how: str,
) -> None:
    feed(*team_meeting())
    first = open_window(qtbot, bridge, ini(tmp_path))
    default = first.size(), first.splitter.sizes(), first.log_splitter.sizes()
    splitter, log_splitter = rearrange(first)
    assert first.size() != default[0]
    assert splitter != default[1] and log_splitter != default[2]
    if how == "close":
        with qtbot.waitSignal(first.close_requested, timeout=1000):
            first.close()  # ignored by the window: the app shuts down, then hides it
        assert first.isVisible()
    else:
        first.hide()  # how the app ends every shutdown (--quit-after, signals, close)
    second = open_window(qtbot, bridge, ini(tmp_path))  # a fresh QSettings reads the file
    assert second.size() == QSize(720, 540)
    assert second.splitter.sizes() == splitter
    assert second.log_splitter.sizes() == log_splitter


def test_save_layout_is_public_and_demo_saves_nothing(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    tmp_path: Path,
) -> None:
    store = ini(tmp_path)
    window = open_window(qtbot, bridge, store)
    rearrange(window)
    window.save_layout()
    assert set(read_layout(tmp_path / "layout.json")) == {"geometry", "splitter", "logSplitter"}
    demo = open_window(qtbot, bridge, None)  # demo: no store, default layout
    demo.save_layout()
    assert demo.size() == fitting_size()  # the default: 1280x800 or what the screen holds


def test_a_layout_saved_by_an_earlier_version_is_still_restored(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    tmp_path: Path,
) -> None:
    first = open_window(qtbot, bridge, None)
    rearrange(first)
    old = ini(tmp_path)  # what versions before layout.json wrote
    old.setValue("window/geometry", first.saveGeometry())
    old.sync()
    second = open_window(qtbot, bridge, ini(tmp_path))
    assert second.size() == QSize(720, 540)


def test_a_disk_that_takes_no_write_costs_the_layout_not_the_quit(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The layout file sits on the journal's disk: a frozen disk must not hang the quit."""
    window = open_window(qtbot, bridge, ini(tmp_path))
    rearrange(window)
    thaw = threading.Event()
    stuck_in: list[str] = []
    real_write = layout_file._write

    def frozen_write(path: Path, text: str) -> None:
        stuck_in.append(threading.current_thread().name)
        thaw.wait(30)
        real_write(path, text)

    monkeypatch.setattr(layout_file, "_write", frozen_write)
    monkeypatch.setattr(layout_file, "WRITE_WAIT", 0.2)
    try:
        window.hide()  # how every shutdown ends: it returns though the write is stuck
        assert stuck_in == ["layout-writer"]  # the window's own thread never waited
        assert not (tmp_path / "layout.json").exists()
    finally:
        thaw.set()


def test_pending_hourglass_animates_only_its_tile(
    qtbot: Any, window: MainWindow, roster: Roster
) -> None:
    grid = window.grid
    grid.clock_timer.stop()  # the once-a-second "time in call" repaint would blur the picture
    assert not grid.pending_timer.isActive()  # nothing pending: no timer
    alice = call_sid("Alice")
    row = window.participants.row_of(alice)
    roster.mark_pending(CONFERENCE_SID, alice, ActionKind.UNMUTE, START)
    qtbot.waitUntil(grid.pending_timer.isActive, timeout=1000)
    assert grid.pending_rows() == [row]

    changed: list[int] = []
    window.participants.dataChanged.connect(lambda tl, _br, *_: changed.append(tl.row()))
    painted = PaintRecorder(grid.viewport())
    phases = {grid.delegate.pending_phase}
    for _ in range(4):
        qtbot.waitSignal(grid.pending_timer.timeout, timeout=1000).wait()
        phases.add(grid.delegate.pending_phase)
    qtbot.waitUntil(lambda: bool(painted.rects), timeout=1000)
    assert len(phases) > 1  # the hourglass moves
    assert changed == []  # animating is no model change
    tile = grid.visualRect(window.participants.index(row))
    assert all(tile.contains(rect) for rect in painted.rects), (tile, painted.rects)

    roster.clear_pending(CONFERENCE_SID, alice)  # Twilio answered
    qtbot.waitUntil(lambda: not grid.pending_timer.isActive(), timeout=1000)
    assert grid.pending_rows() == []


def test_pending_timer_stops_when_the_grid_is_hidden(
    qtbot: Any, window: MainWindow, roster: Roster
) -> None:
    roster.mark_pending(CONFERENCE_SID, call_sid("Charles"), ActionKind.HOLD, START)
    qtbot.waitUntil(window.grid.pending_timer.isActive, timeout=1000)
    window.hide()
    assert not window.grid.pending_timer.isActive()
    window.show()
    qtbot.waitUntil(window.grid.pending_timer.isActive, timeout=1000)


def test_hourglass_turns_over_once_per_cycle(themed: QApplication) -> None:
    assert hourglass_angle(0.0) == 0.0
    assert hourglass_angle(0.5) == 0.0  # resting
    assert 0.0 < hourglass_angle(0.85) < 180.0  # turning
    assert hourglass_angle(1.0) == 0.0  # a new cycle (180 degrees looks the same)


class PaintRecorder(QObject):
    """Records the rectangles of the paint events a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            assert isinstance(event, QPaintEvent)
            self.rects.append(event.rect())
        return False
