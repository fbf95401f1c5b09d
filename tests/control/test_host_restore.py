"""What the host set for a live meeting comes back when the console starts again without flags:
in the services, and in how the door treats the next caller (the simulator walks its voice route).
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from moderator.control.door_service import DoorControl
from moderator.core import Core
from moderator.domain.address_book import AddressBook
from moderator.domain.clock import utc_now
from moderator.domain.door import LOCKED, PLEASE_WAIT, Door, DoorSettings
from moderator.domain.host_state import hash_pin, pin_matches
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.store.journal import ActionRecord, Journal

from .conftest import Line, answering_core, wait_until

ALICE, BOB, CAROL, DAVE = "+14155550101", "+14155550102", "+14155550103", "+14155550104"


def free_port() -> int:
    """One port for both starts: Twilio keeps sending a live conference's callbacks to the URL
    its first participant gave, so a console restarts on the same port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Consoles(Line):
    """A console core over one data folder, stopped and started again as a host would."""

    def __init__(self, sim: Simulator, data_dir: Path) -> None:
        self.sim = sim
        self.data_dir = data_dir
        self.port = free_port()
        self.stack = AsyncExitStack()
        self.core: Core | None = None
        self.messages: list[tuple[str, str]] = []

    async def start(self, door: DoorSettings | None = None, **fields: Any) -> Core:
        book = AddressBook().with_name(ALICE, "Alice")
        self.core = await answering_core(
            self.sim,
            self.data_dir,
            self.stack,
            door=Door(door, book),
            replay=True,
            port=self.port,
            **fields,
        )
        return self.core

    async def restart(self, **fields: Any) -> Core:
        """Stop the console (its journal as it left it) and start it again without flags."""
        await self.stack.aclose()
        self.stack = AsyncExitStack()
        return await self.start(**fields)

    @property
    def service(self) -> DoorControl:
        assert self.core is not None and self.core.door_service is not None
        return self.core.door_service

    def main_calls(self) -> set[str]:
        return {p.call_sid for p in self.service.main_people()}

    def waiting_calls(self) -> set[str]:
        return {p.call_sid for p in self.service.waiting()}

    async def until(self, check: Callable[[], Any], what: str, timeout: float = 30.0) -> None:
        # a hang guard, not a speed check: a meeting's end (goodbyes spoken, calls hung up, the
        # lobby ended) once took over 10 s on the shared 2-core machine under a full suite
        await wait_until(check, self.messages, what=what, timeout=timeout)

    async def in_main(self, *numbers: str) -> list[str]:
        sids = [self.call(n) for n in numbers]
        await self.until(lambda: set(sids) <= self.main_calls(), "callers in the meeting")
        return sids


@pytest.fixture
async def consoles(sim: Simulator, tmp_path: Path) -> AsyncIterator[Consoles]:
    made = Consoles(sim, tmp_path)
    await made.start()
    yield made
    await made.stack.aclose()


async def test_lock_lasts(consoles: Consoles) -> None:
    await consoles.in_main(ALICE)
    consoles.service.set_locked(True)
    core = await consoles.restart()
    assert core.door.settings.locked
    bob = consoles.call(BOB)
    await consoles.until(lambda: consoles.status(bob) == "completed", "Bob turned away")
    assert LOCKED in consoles.heard(bob)


async def test_a_restart_reads_the_journals_actions_once(
    consoles: Consoles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The callers' numbers (note_callers) and the host's state (restore) each read every
    # action journaled, about 0.15 s per 20,000 rows; the start now reads them once for both.
    await consoles.in_main(ALICE)
    consoles.service.set_locked(True)
    reads: list[tuple[str, ...]] = []
    actions = Journal.actions

    def counted(journal: Journal, *conference_sids: str) -> list[ActionRecord]:
        reads.append(conference_sids)
        return actions(journal, *conference_sids)

    monkeypatch.setattr(Journal, "actions", counted)
    core = await consoles.restart()
    assert reads == [()]
    assert core.door.settings.locked  # restored from that one read


async def test_waiting_room_and_who_waits_last(consoles: Consoles) -> None:
    (alice,) = await consoles.in_main(ALICE)
    consoles.service.set_waiting_room(True)
    bob = consoles.call(BOB)
    await consoles.until(lambda: consoles.waiting_calls() == {bob}, "Bob waiting")
    core = await consoles.restart()
    assert core.door.settings.waiting_room
    assert consoles.waiting_calls() == {bob}
    carol = consoles.call(CAROL)  # the next caller waits too
    await consoles.until(lambda: consoles.waiting_calls() == {bob, carol}, "Carol waiting")
    assert PLEASE_WAIT in consoles.heard(carol)
    assert (await consoles.service.admit(bob)).ok
    await consoles.until(lambda: consoles.main_calls() == {alice, bob}, "Bob admitted")


async def test_a_caller_still_waiting_after_a_restart_who_hangs_up_left_the_waiting_room(
    consoles: Consoles,
) -> None:
    await consoles.in_main(ALICE)
    consoles.service.set_waiting_room(True)
    bob = consoles.call(BOB)
    await consoles.until(lambda: consoles.waiting_calls() == {bob}, "Bob waiting")
    core = await consoles.restart()
    # as connect-number points the number: each call's end to the console
    consoles.sim.set_voice_url(
        LINE_NUMBER, core.server.voice_url, status_callback=core.server.call_status_url
    )
    await consoles.sim.hang_up(bob)
    await consoles.until(
        lambda: ("left-lobby", bob) in [(a.kind, a.call_sid) for a in core.journal.actions()],
        "Bob's hanging up journaled",
    )


async def test_pin_lasts_as_a_hash_only(consoles: Consoles) -> None:
    await consoles.in_main(ALICE)
    consoles.service.set_pin("2468")
    core = await consoles.restart()
    assert pin_matches("2468", core.door.settings.pin_hash)
    pin_hash = core.door.settings.pin_hash
    rows = repr([(a.kind, a.params) for a in core.journal.actions()]).replace(pin_hash, "")
    assert "2468" not in rows  # only the salted hash (whose hex may hold "2468" by chance)
    bob = consoles.call(BOB, "1111#", "2222#", "3333#")
    carol = consoles.call(CAROL, "2468#")
    await consoles.until(lambda: consoles.status(bob) == "completed", "Bob refused")
    await consoles.until(lambda: carol in consoles.main_calls(), "Carol in")


async def test_presenter_lasts(consoles: Consoles) -> None:
    _alice, bob = await consoles.in_main(ALICE, BOB)
    core = consoles.core
    assert core is not None
    conf = consoles.service.main_conference()
    assert conf is not None
    core.control.choose_presenter(conf.sid, bob)
    assert core.roster.presenter(conf.sid) == bob
    core = await consoles.restart()
    assert core.roster.presenter(conf.sid) == bob
    assert core.roster.chosen_presenter(conf.sid) == bob
    core.control.choose_presenter(conf.sid, None)  # undone, and that lasts too
    core = await consoles.restart()
    assert core.roster.chosen_presenter(conf.sid) is None


async def test_open_rooms_with_people_in_them_last(consoles: Consoles) -> None:
    people = await consoles.in_main(ALICE, BOB, CAROL, DAVE)
    plan = consoles.service.plan_rooms(2, keep_presenter=False)
    assert all(r.ok for r in await consoles.service.open_rooms())

    def in_rooms() -> int:
        return sum(len(room) for room in consoles.service.room_people().values())

    await consoles.until(lambda: in_rooms() == 4, "everyone in a room")
    await consoles.restart()
    service = consoles.service
    assert service.rooms_open and service.plan == plan
    assert {p.call_sid for room in service.room_people().values() for p in room} == set(people)
    eve = consoles.call("+14155550105")  # the door still lets callers into the main meeting
    await consoles.until(lambda: eve in consoles.main_calls(), "Eve in the main meeting")
    assert all(r.ok for r in await service.close_rooms())
    await consoles.until(lambda: consoles.main_calls() == {*people, eve}, "everyone back")
    await consoles.until(lambda: in_rooms() == 0, "the rooms empty")


async def test_recording_paused_lasts(sim: Simulator, tmp_path: Path) -> None:
    consoles = Consoles(sim, tmp_path)
    try:
        core = await consoles.start(record=True)
        await consoles.in_main(ALICE, BOB)
        conf = consoles.service.main_conference()
        assert conf is not None and core.recordings is not None
        recordings = core.recordings
        await consoles.until(lambda: recordings.state(conf.sid) is not None, "recording")
        assert (await recordings.pause(conf.sid)).ok
        await consoles.until(lambda: recordings.asked(conf.sid) is None, "pause confirmed")
        core = await consoles.restart(record=True)
        assert core.recordings is not None
        state = core.recordings.state(conf.sid)
        assert state is not None and state.status == "paused"
        assert sim.recordings.of(conf.sid)[-1].status == "paused"
    finally:
        await consoles.stack.aclose()


async def test_flags_turn_on_but_never_off(consoles: Consoles) -> None:
    await consoles.in_main(ALICE)
    consoles.service.set_locked(True)
    core = await consoles.restart(door=DoorSettings(waiting_room=True))
    assert core.door.settings.locked and core.door.settings.waiting_room
    core = await consoles.restart()  # and what the flag turned on lasts without it
    assert core.door.settings.locked and core.door.settings.waiting_room


async def test_a_start_without_a_live_meeting_begins_from_the_flags(
    sim: Simulator, tmp_path: Path
) -> None:
    consoles = Consoles(sim, tmp_path)
    try:
        await consoles.start()
        consoles.service.set_locked(True)  # nobody is in the meeting: nothing is live
        consoles.service.set_pin("1111")
        core = await consoles.restart(door=DoorSettings(pin_hash=hash_pin("2468")))
        assert not core.door.settings.locked
        assert pin_matches("2468", core.door.settings.pin_hash)
        alice = consoles.call(ALICE, "2468#")  # the meeting begins, then the console restarts
        await consoles.until(lambda: alice in consoles.main_calls(), "Alice in")
        core = await consoles.restart()
        assert not core.door.settings.locked  # the lock of before the fresh start stays gone
        assert pin_matches("2468", core.door.settings.pin_hash)
    finally:
        await consoles.stack.aclose()


async def test_a_caller_the_door_put_to_wait_keeps_the_meeting_live(consoles: Consoles) -> None:
    """The console stopped between the door's "wait" and the lobby's join callback: nobody is
    in any conference by the journal, yet someone waits, so what the host set is restored."""
    core = consoles.core
    assert core is not None
    consoles.service.set_waiting_room(True)
    waiting = "CA" + "7" * 32
    core.journal.record_action(utc_now(), "TeamMeeting", waiting, "wait", origin="door")
    core = await consoles.restart()
    assert core.restored is not None and core.restored.live
    assert core.restored.state.waiting == {waiting}
    assert core.door.settings.waiting_room


async def test_a_meeting_that_ended_while_the_console_was_away_is_not_restored(
    consoles: Consoles,
) -> None:
    await consoles.in_main(ALICE)
    conf = consoles.service.main_conference()
    assert conf is not None
    consoles.service.set_locked(True)
    await consoles.stack.aclose()  # the console is away …
    consoles.stack = AsyncExitStack()
    await consoles.sim.end_conference(conf.sid)  # … when the meeting ends (callbacks lost)
    core = await consoles.restart()
    assert core.restored is not None and core.restored.live  # by the journal, at first
    assert core.settled is not None and await core.settled  # Twilio says it ended
    assert not core.door.settings.locked
    core = await consoles.restart()  # and the next start does not bring the lock back
    assert not core.door.settings.locked


def _transcribed(consoles: Consoles, call_sid: str) -> int:
    """How many transcriptions of the call the simulator runs now."""
    return len(consoles.sim.transcriptions.running(call_sid))


async def test_captions_the_host_turned_on_last_without_the_flag(consoles: Consoles) -> None:
    (alice,) = await consoles.in_main(ALICE)
    core = consoles.core
    assert core is not None and core.captions is not None and not core.captions.on
    assert all(r.ok for r in await core.captions.set_on(True))
    transcript = core.captions.transcript
    await consoles.until(lambda: transcript.transcribing(alice), "Alice's started callback")
    core = await consoles.restart()  # no --captions, no setting: the journal decides
    assert core.captions is not None and core.captions.on and core.server.captions
    assert core.settled is not None and not await core.settled
    assert _transcribed(consoles, alice) == 1  # hers runs on, never asked twice
    bob = consoles.call(BOB)  # a newcomer hears it and is transcribed by the voice route
    await consoles.until(lambda: _transcribed(consoles, bob) == 1, "Bob transcribed")
    assert "This call is transcribed." in consoles.heard(bob)
    # (one between the voice route and their join is stopped once in: test_captions.py)
    await consoles.until(lambda: bob in consoles.main_calls(), "Bob in")
    assert all(r.ok for r in await core.captions.set_on(False))  # off lasts too
    core = await consoles.restart()
    assert core.captions is not None and not core.captions.on and not core.server.captions
    assert core.settled is not None and not await core.settled
    assert _transcribed(consoles, alice) == _transcribed(consoles, bob) == 0


async def test_captions_on_restored_reach_those_already_in(consoles: Consoles) -> None:
    """The console was killed right after the host's switch was journaled, before Twilio was
    asked to transcribe anyone: at the next start those in the meeting get theirs."""
    alice, bob = await consoles.in_main(ALICE, BOB)
    core = consoles.core
    assert core is not None
    core.journal.record_action(utc_now(), "TeamMeeting", None, "captions-on", origin="host")
    core = await consoles.restart()
    assert core.captions is not None and core.captions.on
    assert core.settled is not None and not await core.settled
    assert _transcribed(consoles, alice) == _transcribed(consoles, bob) == 1


async def test_the_captions_flag_turns_captions_on_and_it_lasts(consoles: Consoles) -> None:
    (alice,) = await consoles.in_main(ALICE)
    core = await consoles.restart(captions=True)
    assert core.settled is not None and not await core.settled
    assert _transcribed(consoles, alice) == 1
    core = await consoles.restart()  # what the flag turned on lasts without it
    assert core.captions is not None and core.captions.on
    assert core.settled is not None and not await core.settled
    assert _transcribed(consoles, alice) == 1


async def test_captions_of_a_meeting_that_ended_while_away_are_the_flags(
    consoles: Consoles,
) -> None:
    await consoles.in_main(ALICE)
    core = consoles.core
    assert core is not None and core.captions is not None
    await core.captions.set_on(True)
    conf = consoles.service.main_conference()
    assert conf is not None
    await consoles.stack.aclose()  # the console is away …
    consoles.stack = AsyncExitStack()
    await consoles.sim.end_conference(conf.sid)  # … when the meeting ends
    core = await consoles.restart()
    assert core.captions is not None and core.captions.on  # by the journal, at first
    assert core.settled is not None and await core.settled
    assert not core.captions.on and not core.server.captions
    core = await consoles.restart()
    assert core.captions is not None and not core.captions.on
