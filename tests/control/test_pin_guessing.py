"""PIN guessing across calls, with the calls placed through the simulator's voice path
(POST /_sim/calls with From, To and the Digits keyed at each <Gather>)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest

from moderator.core import Core
from moderator.domain.door import PIN_ALARM_KIND, PIN_LOCKED_OUT, TOO_MANY_ATTEMPTS, DoorEntry
from moderator.domain.host_state import hash_pin
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER

from .conftest import answering_core, wait_until

PIN = "2468"
ALICE, BOB = "+14155550101", "+14155550102"


@pytest.fixture
async def core(sim: Simulator, tmp_path: Path) -> AsyncIterator[Core]:
    async with AsyncExitStack() as stack:
        made = await answering_core(sim, tmp_path, stack)
        made.door.update(pin_hash=hash_pin(PIN))
        yield made


async def dial(sim: Simulator, number: str, *digits: str) -> str:
    """An incoming call through the simulator's HTTP door; returns once it has ended or
    joined a conference."""
    form = {"From": number, "To": LINE_NUMBER, "Digits": ",".join(digits)}
    async with (
        aiohttp.ClientSession() as session,
        session.post(sim.base_url + "/_sim/calls", data=form) as response,
    ):
        assert response.status == 201, await response.text()
        sid = str((await response.json())["sid"])
    call = sim.world.call(sid)
    await wait_until(
        lambda: call.status == "completed" or call.conference_sid, [], what=f"{sid} to end"
    )
    return sid


def heard(sim: Simulator, sid: str) -> list[str]:
    return [text for _verb, text in sim.world.call(sid).heard]


def present(core: Core) -> list[str]:
    return [
        p.number or ""
        for c in core.roster.conferences()
        for p in core.roster.participants(c.sid, present_only=True)
    ]


async def test_calling_again_does_not_buy_new_guesses(sim: Simulator, core: Core) -> None:
    # 4 calls of 3 wrong PINs each: the 10th wrong PIN locks the number out
    for _ in range(4):
        await dial(sim, BOB, "1111#", "2222#", "3333#")
    assert core.door is not None and core.voice_door is not None
    assert core.voice_door.guard.failures(BOB, core.voice_door.clock()) == 10
    # the right PIN from that number is not even asked for now
    sid = await dial(sim, BOB, PIN + "#")
    assert PIN_LOCKED_OUT in heard(sim, sid)
    assert not any("PIN" in text and "enter" in text for text in heard(sim, sid))
    assert BOB not in present(core)
    kinds = [a.kind for a in core.journal.actions()]
    assert kinds.count("wrong-pin") + kinds.count("pin-refused") == 10
    assert kinds[-1] == "pin-locked-out"
    # another number is not locked out by Bob's guesses
    await dial(sim, ALICE, PIN + "#")
    await wait_until(lambda: ALICE in present(core), [], what="Alice let in")


async def test_many_wrong_pins_from_many_numbers_slow_the_door_and_alarm_the_host(
    sim: Simulator, core: Core
) -> None:
    assert core.voice_door is not None
    told: list[DoorEntry] = []
    core.voice_door.entries.connect(told.append)
    # 10 numbers, 3 wrong PINs each: 30 wrong PINs in all, none of them locked out
    for n in range(10):
        await dial(sim, f"+1312555{n:04}", "1111#", "2222#", "3333#")
    alarms = [entry for entry in told if entry.kind == PIN_ALARM_KIND]
    assert len(alarms) == 1  # the host is told once, not once per try
    assert core.voice_door.guard.under_attack(core.voice_door.clock())
    # a new number now gets one slowed try per call
    sid = await dial(sim, "+13125559999", "4444#", "5555#")
    assert heard(sim, sid).count(TOO_MANY_ATTEMPTS) == 1
    assert sim.world.call(sid).digits == ["5555#"]  # never asked a second time
    assert len([entry for entry in told if entry.kind == PIN_ALARM_KIND]) == 1
    # the right PIN still gets in (slowly): the meeting is not closed to its own people
    await dial(sim, ALICE, PIN + "#")
    await wait_until(lambda: ALICE in present(core), [], what="Alice let in")
