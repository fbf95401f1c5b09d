"""The real console started with --pin / --locked: calls placed through the simulator's
/_sim/calls walk its /twilio/voice, and the report names who got in and who did not."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from moderator.domain.door import ASK_PIN, LOCKED, TOO_MANY_ATTEMPTS, WRONG_PIN
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from tests.e2e.conftest import ACCOUNT_SID, AUTH_TOKEN, ConsoleProcess, child_env, run_moderator
from tests.helpers.polling import poll_until
from tests.helpers.sim_calls import call_record, said

pytestmark = pytest.mark.e2e

ALICE, BOB = "+14155550101", "+14155550102"


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(ACCOUNT_SID, AUTH_TOKEN, speed=20.0)
    await simulator.start()
    yield simulator
    await simulator.stop()


async def until(check: Callable[[], Any], what: str, console: ConsoleProcess) -> None:
    await poll_until(
        check,
        what,
        timeout=30,
        interval=0.05,
        detail=lambda: f"\n{console.output}",
        gone=lambda: console.process.poll() is not None,
    )


async def start(sim: Simulator, tmp_path: Path, *door: str) -> tuple[ConsoleProcess, Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "address-book.csv").write_text("number,name,always_admit\n+14155550101,Alice,\n")
    console = ConsoleProcess(
        ["--twilio-api-url", sim.base_url, "--port", "0", "--data-dir", str(data), *door],
        child_env(tmp_path),
    )
    url = await asyncio.to_thread(console.wait_listening)
    sim.set_voice_url(LINE_NUMBER, url + "/twilio/voice")
    return console, data


async def dial(sim: Simulator, number: str, digits: str = "") -> str:
    """POST /_sim/calls, as `moderator sim --call-in` does."""
    form = {"From": number, "To": LINE_NUMBER, **({"Digits": digits} if digits else {})}
    async with (
        aiohttp.ClientSession() as session,
        session.post(sim.base_url + "/_sim/calls", data=form) as response,
    ):
        assert response.status == 201, await response.text()
        return str((await response.json())["sid"])


async def heard(sim: Simulator, call_sid: str) -> dict[str, Any]:
    return await call_record(sim.base_url, call_sid)


async def stop(console: ConsoleProcess) -> None:
    console.process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(console.wait, 60) == 0, console.output
    assert "Traceback" not in console.output


def report(data: Path, tmp_path: Path) -> dict[str, Any]:
    result = run_moderator("report", "--data-dir", str(data), "--format", "json",
                           env=child_env(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


async def test_right_pin_joins_wrong_pin_is_hung_up(sim: Simulator, tmp_path: Path) -> None:
    console, data = await start(sim, tmp_path, "--pin", "2468")
    try:
        alice = await dial(sim, ALICE, "2468#")
        bob = await dial(sim, BOB, "1111#,2222#,3333#")
        calls = sim.world.calls
        await until(lambda: calls[bob].status == "completed", "Bob hung up", console)
        await until(lambda: calls[alice].conference_sid is not None, "Alice joined", console)
        bob_heard, alice_heard = await heard(sim, bob), await heard(sim, alice)
        await stop(console)
    finally:
        console.close()
    assert said(bob_heard) == [ASK_PIN, f"{WRONG_PIN} {ASK_PIN}", f"{WRONG_PIN} {ASK_PIN}",
                               TOO_MANY_ATTEMPTS]  # fmt: skip
    assert (bob_heard["keyed"], bob_heard["status"]) == (["1111#", "2222#", "3333#"], "completed")
    assert said(alice_heard) == [ASK_PIN] and alice_heard["keyed"] == ["2468#"]
    assert alice_heard["conference"]["friendly_name"] == "TeamMeeting"
    made = report(data, tmp_path)
    door = [(d["kind"], d["name"] or d["number"]) for d in made["door"]]
    assert ("pin-right", "Alice") in door and ("join", "Alice") in door
    assert [k for k, who in door if who == BOB] == [
        "ask-pin", "wrong-pin", "wrong-pin", "pin-refused"
    ]  # fmt: skip
    (meeting,) = made["conferences"]
    assert [(p["call_sid"], p["name"]) for p in meeting["participants"]] == [(alice, "Alice")]


async def test_locked_meeting_turns_callers_away(sim: Simulator, tmp_path: Path) -> None:
    console, data = await start(sim, tmp_path, "--locked")
    try:
        bob = await dial(sim, BOB)
        await until(lambda: sim.world.calls[bob].status == "completed", "Bob turned away", console)
        record = await heard(sim, bob)
        await stop(console)
    finally:
        console.close()
    assert said(record) == [LOCKED] and record["conference"] is None
    made = report(data, tmp_path)
    assert made["conferences"] == []
    # the start's --locked is journaled too (a restart without it keeps the meeting locked)
    assert [(d["kind"], d["number"]) for d in made["door"]] == [
        ("lock", None), ("locked-out", BOB)
    ]  # fmt: skip
