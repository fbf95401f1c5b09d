"""The whole console in-process on a simulator: what the host sets in the window (lock, waiting
room, PIN, presenter, rooms with people in them, recording paused, someone waiting) is in the
window again after a restart without flags; ending the meeting there leaves no call behind."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync

from moderator.app import Console, ConsoleOptions
from moderator.domain.pin_hash import pin_matches
from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.ui.door.door_ui import CLOSE_ROOMS_FIRST, DoorUi
from moderator.ui.grid.recording_indicator import PAUSED_TEXT

from ..conftest import run
from ..shell.test_conference_picker import click_conference

ALICE, BOB, CAROL, DAVE, EVE = (f"+1415555010{n}" for n in range(1, 6))


class Host:
    def __init__(self, qtbot: Any, loop: qasync.QEventLoop, sim: Simulator, data: Path) -> None:
        self.qtbot, self.loop, self.sim, self.data = qtbot, loop, sim, data
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.console: Console | None = None

    def start(self, **flags: Any) -> Console:
        options = ConsoleOptions(
            port=self.port,
            data_dir=self.data,
            twilio_api_url=self.sim.base_url,
            setup_assistant=False,
            **flags,
        )
        console = self.console = Console(options)
        run(self.qtbot, self.loop, console.start(), timeout=15000)
        assert console.server is not None
        self.sim.set_voice_url(LINE_NUMBER, console.server.voice_url)
        return console

    def stop(self) -> None:
        if self.console is not None:
            run(self.qtbot, self.loop, self.console.stop(), timeout=15000)
            self.console = None

    @property
    def door_ui(self) -> DoorUi:
        assert self.console is not None and self.console.door_ui is not None
        return self.console.door_ui

    def until(self, check: Any, timeout: int = 10000) -> None:
        self.qtbot.waitUntil(check, timeout=timeout)


@pytest.fixture
def host(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Host]:
    sim = Simulator(seed=5, speed=50.0, faults=Faults(), callback_retry_delay=0.01)
    run(qtbot, qloop, sim.start())
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sim.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", sim.auth_token)
    made = Host(qtbot, qloop, sim, tmp_path)
    yield made
    made.stop()
    run(qtbot, qloop, sim.stop())


def test_what_the_host_set_in_the_window_is_there_after_a_restart(host: Host) -> None:
    console = host.start(record=True)
    people = [host.sim.place_call(n, LINE_NUMBER).sid for n in (ALICE, BOB, CAROL, DAVE)]
    service = host.door_ui.service
    host.until(lambda: {p.call_sid for p in service.main_people()} == set(people))
    window = console.window
    assert window is not None and console.core is not None
    # in the window: lock, waiting room, PIN, presenter
    host.door_ui.lock_action.trigger()
    host.door_ui.waiting_action.trigger()
    host.door_ui.ask_pin = lambda is_set: "24680"
    host.door_ui.change_pin()
    conf = service.main_conference()
    assert conf is not None
    window.controller.conference_sid = conf.sid
    window.controller.toggle_presenter(people[0])
    # rooms with people in them, the recording paused, someone waiting
    service.plan_rooms(2, keep_presenter=True)
    run(host.qtbot, host.loop, service.open_rooms())
    host.until(lambda: sum(len(r) for r in service.room_people().values()) == 3)
    recordings = console.core.recordings
    assert recordings is not None
    host.until(lambda: recordings.state(conf.sid) is not None)
    run(host.qtbot, host.loop, recordings.pause(conf.sid))
    host.until(lambda: recordings.asked(conf.sid) is None)
    eve = host.sim.place_call(EVE, LINE_NUMBER, ["24680#"]).sid
    host.until(lambda: [p.call_sid for p in service.waiting()] == [eve])

    host.stop()
    console = host.start()  # no flags
    window, ui, service = console.window, host.door_ui, host.door_ui.service
    assert window is not None and console.core is not None
    settings = console.core.door.settings
    assert settings.locked and settings.waiting_room and pin_matches("24680", settings.pin_hash)
    assert ui.badge.text() == "LOCKED  ·  WAITING ROOM  ·  PIN"
    assert ui.lock_action.isChecked() and ui.waiting_action.isChecked()
    assert console.roster.presenter(conf.sid) == people[0]
    assert service.rooms_open and ui.rooms.isVisible()
    assert sum(len(r) for r in service.room_people().values()) == 3
    assert [p.call_sid for p in service.waiting()] == [eve]
    assert ui.strip.isVisible()
    assert window.conference_sid == conf.sid
    host.until(lambda: console.recording_indicator.text() == PAUSED_TEXT)
    # the event log shows the meeting's history: callbacks, host actions, door, recording
    log = window.log_model
    lines = [log.entry(row) for row in range(log.rowCount())]
    words = {line.event for line in lines}
    assert {"Joined", "Locked", "Waiting room on", "PIN set", "Presenter chosen"} <= words
    assert {"Rooms opened", "Moved", "Recording paused", "Door"} <= words
    assert not any("24680" in repr(line) or "pbkdf2" in repr(line) for line in lines)
    # and a host action appears in it as it is taken
    run(host.qtbot, host.loop, service.admit(eve))
    host.until(lambda: any(log.entry(r).event == "Admitted" for r in range(log.rowCount())))
    frank = host.sim.place_call("+14155550106", LINE_NUMBER, ["24680#"]).sid  # waits too
    host.until(lambda: frank in {p.call_sid for p in service.waiting()})

    # End conference in the window: rooms brought back first, the waiting told and hung up
    ui.ask_end = lambda name, in_rooms, waiting: CLOSE_ROOMS_FIRST
    window.controller.end_conference()
    sim = host.sim
    host.until(
        lambda: (
            all(c.status == "completed" for c in sim.world.calls.values())
            and all(c.status == "completed" for c in sim.world.conferences.values())
        ),
        timeout=20000,
    )
    host.until(lambda: not service.waiting() and not service.rooms_open)


def test_the_event_log_brings_in_the_history_of_the_conference_the_host_switches_to(
    host: Host,
) -> None:
    console = host.start()
    sim = host.sim
    for number in (ALICE, BOB):
        sim.place_call(number, LINE_NUMBER)
    service = host.door_ui.service
    host.until(lambda: len(service.main_people()) == 2)
    assert console.server is not None and console.moderator is not None
    standup = sim.create_conference("Standup", status_callback=console.server.callback_url)
    zoe = run(host.qtbot, host.loop, sim.join(standup, label="Zoe", number=CAROL))
    host.until(lambda: console.roster.participant(standup, zoe) is not None)
    assert run(host.qtbot, host.loop, console.moderator.mute(standup, zoe)).ok

    host.stop()
    console = host.start()  # the window shows one conference: its history only
    window = console.window
    assert window is not None
    main = host.door_ui.service.main_conference()
    assert main is not None
    names = {main.sid: main.friendly_name, standup: "Standup"}
    first = window.conference_sid
    assert first in names
    other = next(sid for sid in names if sid != first)
    log = window.log_model

    def lines(sid: str) -> set[tuple[str, str]]:
        entries = [log.entry(row) for row in range(log.rowCount())]
        return {(e.event, e.who) for e in entries if e.conference == names[sid]}

    assert any(event == "Joined" for event, _ in lines(first))  # the shown one's history
    assert lines(other) == set()
    click_conference(host.qtbot, window, other)  # the host switches: its history comes in
    assert any(event == "Joined" for event, _ in lines(other))
    assert ("Mute sent", "Zoe") in lines(standup)
    before = log.rowCount()
    click_conference(host.qtbot, window, first)
    click_conference(host.qtbot, window, other)
    assert log.rowCount() == before  # once per conference
