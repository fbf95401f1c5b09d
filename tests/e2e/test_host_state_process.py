"""The real console killed with SIGKILL in the middle of a meeting and started again without
flags: the waiting room, who waits and the open rooms come back, and the door treats the next
caller as the host left it (the simulator walks its voice route and says where each call is)."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from moderator.control.call_moves import replace_twiml
from moderator.control.client import TwilioRest
from moderator.credentials import Credentials
from moderator.domain import door_twiml
from moderator.domain.door import PLEASE_WAIT
from moderator.domain.rooms import room_name
from moderator.settings import Settings
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from tests.e2e.conftest import ACCOUNT_SID, AUTH_TOKEN, ConsoleProcess, child_env
from tests.e2e.test_door_process import dial, stop, until
from tests.e2e.test_door_process import sim as sim  # the simulator fixture

pytestmark = pytest.mark.e2e

MEETING = "TeamMeeting"
ALICE, BOB, CAROL, DAVE, EVE = (f"+1415555010{n}" for n in range(1, 6))
RESTORED = re.compile(r"the meeting TeamMeeting is live: restored (.*)")


class Host:
    """One data folder and one port (a live conference keeps sending its callbacks to the URL
    its first caller gave), for a console started, killed and started again."""

    def __init__(self, sim: Simulator, tmp_path: Path) -> None:
        self.sim = sim
        self.tmp_path = tmp_path
        self.data = tmp_path / "data"
        self.data.mkdir()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.consoles: list[ConsoleProcess] = []

    async def start(self, *flags: str) -> ConsoleProcess:
        args = ["--twilio-api-url", self.sim.base_url, "--port", str(self.port)]
        console = ConsoleProcess([*args, "--data-dir", str(self.data), *flags],
                                 child_env(self.tmp_path))  # fmt: skip
        self.consoles.append(console)
        url = await asyncio.to_thread(console.wait_listening)
        self.sim.set_voice_url(LINE_NUMBER, url + "/twilio/voice")
        return console

    async def kill(self, console: ConsoleProcess) -> None:
        console.process.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(console.wait, 30) == -signal.SIGKILL

    def conference_of(self, call_sid: str) -> str | None:
        """The name of the conference a call is in now, by the simulator."""
        call = self.sim.world.calls[call_sid]
        if call.status == "completed" or call.conference_sid is None:
            return None
        return self.sim.world.conferences[call.conference_sid].friendly_name

    def close(self) -> None:
        for console in self.consoles:
            console.close()


@pytest.fixture
async def host(sim: Simulator, tmp_path: Path) -> AsyncIterator[Host]:
    made = Host(sim, tmp_path)
    yield made
    made.close()


async def restored(console: ConsoleProcess) -> str:
    await until(lambda: RESTORED.search(console.output), "the restore line", console)
    match = RESTORED.search(console.output)
    assert match is not None
    return match.group(1)


async def test_waiting_room_and_who_waits_survive_a_kill(sim: Simulator, host: Host) -> None:
    first = await host.start("--waiting-room")
    bob = await dial(sim, BOB)
    await until(lambda: host.conference_of(bob) == f"{MEETING}-lobby", "Bob waiting", first)
    await sim.drain()  # Bob's lobby join answered: in the console's journal
    await host.kill(first)
    again = await host.start()  # no flags: from the desktop icon
    assert await restored(again) == "waiting room, 1 waiting"
    carol = await dial(sim, CAROL)  # the next caller waits too, she does not walk in
    await until(lambda: host.conference_of(carol) == f"{MEETING}-lobby", "Carol waiting", again)
    assert ("Say", PLEASE_WAIT) in sim.world.calls[carol].heard
    assert host.conference_of(bob) == f"{MEETING}-lobby"
    await stop(again)


async def test_open_rooms_with_people_survive_a_kill(sim: Simulator, host: Host) -> None:
    first = await host.start()
    people = [await dial(sim, n) for n in (ALICE, BOB, CAROL, DAVE)]
    await until(lambda: all(host.conference_of(p) == MEETING for p in people), "all in", first)
    # the host's Open rooms, as the door service sends it: each call's TwiML is replaced
    rest = TwilioRest(Credentials(ACCOUNT_SID, AUTH_TOKEN), Settings(), api_base_url=sim.base_url)
    callback = first.url + "/twilio/conference-events"
    try:
        for index, sid in enumerate(people[1:]):
            room = room_name(MEETING, index % 2 + 1)
            await replace_twiml(rest.client(), sid, door_twiml.conference(room, callback))
    finally:
        await rest.close()
    await until(
        lambda: (
            [host.conference_of(p) for p in people[1:]]
            == [room_name(MEETING, 1), room_name(MEETING, 2), room_name(MEETING, 1)]
        ),
        "three in the rooms",
        first,
    )
    await sim.drain()  # the rooms' join callbacks answered: in the console's journal
    await host.kill(first)
    again = await host.start()
    assert await restored(again) == "2 rooms open, 3 people in them, 0 waiting"
    eve = await dial(sim, EVE)  # the door still lets the next caller into the main meeting
    await until(lambda: host.conference_of(eve) == MEETING, "Eve in the meeting", again)
    await stop(again)


async def test_captions_survive_a_kill(sim: Simulator, host: Host) -> None:
    """Captions on (here by the flag: journaled as the host's switch is), the console killed,
    started again from the desktop icon: captions are on again, the caller in keeps their one
    transcription and the next caller is told and transcribed."""
    first = await host.start("--captions")
    alice = await dial(sim, ALICE)
    await until(lambda: host.conference_of(alice) == MEETING, "Alice in", first)
    await until(lambda: sim.transcriptions.running(alice), "Alice transcribed", first)
    await sim.drain()  # her join and started callbacks answered: in the console's journal
    await host.kill(first)
    again = await host.start()  # no --captions, no setting
    assert await restored(again) == "captions, 0 waiting"
    bob = await dial(sim, BOB)
    await until(lambda: host.conference_of(bob) == MEETING, "Bob in", again)
    assert ("Say", "This call is transcribed.") in sim.world.calls[bob].heard
    assert len(sim.transcriptions.running(bob)) == 1
    assert len(sim.transcriptions.of(alice)) == 1  # hers ran on, never asked twice
    await stop(again)
