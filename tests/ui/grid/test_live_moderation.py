"""The real loop: click a tile → Moderator → simulator REST → signed callback → tile updated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from moderator.control.retry import RetryPolicy
from moderator.domain.actions import ActionKind
from moderator.domain.roster import Participant, Roster
from moderator.server.webhooks import WebhookServer
from moderator.sim import Simulator
from moderator.ui.grid.roles import Role
from moderator.ui.shell.main_window import MainWindow

from ..conftest import console_on_simulator, run

FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.02, max_delay=0.2, total=2.0)


@dataclass
class Live:
    qtbot: Any
    loop: qasync.QEventLoop
    sim: Simulator
    roster: Roster
    server: WebhookServer
    window: MainWindow

    def run(self, coro: Any) -> Any:
        return run(self.qtbot, self.loop, coro)

    def meeting(self, *labels: str) -> tuple[str, dict[str, str]]:
        """A conference whose callbacks reach our server; waits until the roster has everyone."""
        conf = self.sim.create_conference("TeamMeeting", status_callback=self.server.callback_url)
        sids = {}
        for index, label in enumerate(labels):
            sids[label] = self.run(
                self.sim.join(
                    conf,
                    label=label,
                    number=f"+1415555{index:04d}",
                    end_conference_on_exit=index == 0,
                )
            )
        self.run(self.sim.drain())
        self.qtbot.waitUntil(
            lambda: len(self.roster.participants(conf, present_only=True)) == len(labels),
            timeout=3000,
        )
        # and the tiles: the window hears of changes at the next display frame
        self.qtbot.waitUntil(lambda: self.window.participants.rowCount() == len(labels))
        return conf, sids

    def tile(self, call_sid: str) -> Participant:
        model = self.window.participants
        value = model.index(model.row_of(call_sid)).data(Role.PARTICIPANT)
        assert isinstance(value, Participant)
        return value

    def click(self, call_sid: str) -> None:
        grid = self.window.grid
        rect = grid.visualRect(
            self.window.participants.index(self.window.participants.row_of(call_sid))
        )
        self.qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def record(self, call_sid: str) -> list[tuple[ActionKind | None, bool]]:
        """Every state the tile was repainted with: (pending action, muted)."""
        seen: list[tuple[ActionKind | None, bool]] = []

        def changed(top_left: Any, bottom_right: Any, roles: Any = None) -> None:
            if top_left.data(Role.CALL_SID) == call_sid:
                tile = self.tile(call_sid)
                seen.append((tile.pending.kind if tile.pending else None, tile.muted))

        self.window.participants.dataChanged.connect(changed)
        return seen


@pytest.fixture
def live(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, tmp_path: Path
) -> Iterator[Live]:
    control_options = {
        "confirm_grace": 0.5,
        "reconcile_debounce": 0.05,
        "retry_policy": FAST_RETRY,
    }
    with console_on_simulator(
        qtbot, qloop, tmp_path, seed=3, control_options=control_options
    ) as console:
        console.window.show()
        qtbot.waitExposed(console.window)
        yield Live(qtbot, qloop, console.sim, console.roster, console.core.server, console.window)


def test_click_mutes_through_twilio_pending_then_confirmed(live: Live) -> None:
    conf, sids = live.meeting("Mary", "Alice")
    alice = sids["Alice"]
    assert live.window.conference_sid == conf
    # Twilio's answer takes several display frames, even on a loaded machine whose frames stretch
    # (the tile can only show what lasts one)
    live.sim.faults.latency = 0.5
    seen = live.record(alice)
    live.click(alice)
    live.qtbot.waitUntil(
        lambda: live.tile(alice).muted and live.tile(alice).pending is None, timeout=10000
    )
    assert (ActionKind.MUTE, False) in seen  # pending shown before Twilio answered
    # confirmed by the participant-mute callback: the next display frame repaints it
    live.qtbot.waitUntil(lambda: seen[-1] == (None, True))
    assert live.sim.participant(conf, alice).muted  # type: ignore[union-attr]
    # and back: a second click unmutes
    live.click(alice)
    live.qtbot.waitUntil(lambda: not live.tile(alice).muted and live.tile(alice).pending is None)
    assert not live.window.status.error.text()


def test_failed_action_restores_the_tile_and_shows_the_error(live: Live) -> None:
    _conf, sids = live.meeting("Mary", "Alice")
    alice = sids["Alice"]
    # callers' numbers are looked up once the joins are over: let that happen first, so the
    # failure below is the mute's
    live.qtbot.waitUntil(lambda: live.tile(alice).number is not None, timeout=3000)
    seen = live.record(alice)
    live.sim.fail_next(400, count=1)
    # Twilio's answer takes several display frames, even on a loaded machine whose frames stretch
    # (the tile can only show what lasts one)
    live.sim.faults.latency = 0.5
    live.window.grid.setCurrentIndex(live.window.participants.index(1))
    live.qtbot.keyClick(live.window.grid, Qt.Key.Key_Space)
    live.qtbot.waitUntil(lambda: "Could not mute Alice" in live.window.status.error.text())
    assert (ActionKind.MUTE, False) in seen  # shown pending (a frame may repaint other news)
    assert live.tile(alice).pending is None and not live.tile(alice).muted  # restored
    log = live.window.log_model
    errors = [log.entry(r) for r in range(log.rowCount()) if log.entry(r).level == "error"]
    assert any("Could not mute Alice" in e.details for e in errors)


def test_mute_all_spares_the_presenter(live: Live) -> None:
    _conf, sids = live.meeting("Mary", "Alice", "Bob")
    live.qtbot.keyClick(live.window.grid, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    live.qtbot.waitUntil(
        lambda: live.tile(sids["Alice"]).muted and live.tile(sids["Bob"]).muted, timeout=3000
    )
    assert not live.tile(sids["Mary"]).muted
    assert live.tile(sids["Mary"]).presenter
