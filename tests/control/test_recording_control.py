"""Recording pause / resume / stop against the simulator, each confirmed by its callback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from moderator.control.recording import RecordingControl
from moderator.core import Core
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER

from .conftest import answering_core, wait_until

ALICE, BOB = "+13125550101", "+14155550102"


@dataclass
class Recorded:
    sim: Simulator
    core: Core
    messages: list[tuple[str, str]] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)  # every ledger status the control saw

    @property
    def control(self) -> RecordingControl:
        assert self.core.recordings is not None
        return self.core.recordings

    async def until(self, check: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
        await wait_until(check, self.messages, what=what, timeout=timeout)

    def status(self) -> str | None:
        conf = self.conf_sid()
        rec = self.control.state(conf) if conf else None
        return rec.status if rec else None

    def conf_sid(self) -> str | None:
        live = [c for c in self.sim.world.conferences.values() if c.live]
        return live[0].sid if live else None


@pytest.fixture
async def recorded(sim: Simulator, tmp_path: Path) -> AsyncIterator[Recorded]:
    async with AsyncExitStack() as stack:
        messages: list[tuple[str, str]] = []
        core = await answering_core(
            sim,
            tmp_path,
            stack,
            record=True,
            notify=lambda level, text: messages.append((level, text)),
        )
        made = Recorded(sim, core, messages)
        made.control.changed.connect(lambda conf: made.heard.append(made.status() or ""))
        sim.place_call(ALICE, LINE_NUMBER)
        sim.place_call(BOB, LINE_NUMBER)
        await made.until(lambda: made.status() == "in-progress", "the recording to start")
        yield made


async def test_pause_resume_confirm_from_the_answer_stop_from_the_callback(
    recorded: Recorded,
) -> None:
    conf = recorded.conf_sid()
    assert conf is not None
    control = recorded.control
    # Twilio sends no recording callback for a pause or a resume: the REST answer confirms it
    # at once (it used to wait the grace period for a callback that never comes)
    assert (await control.pause(conf)).ok
    assert control.asked(conf) is None and recorded.status() == "paused"
    assert (await control.resume(conf)).ok
    assert control.asked(conf) is None and recorded.status() == "in-progress"
    await recorded.sim.sleep(2)
    assert (await control.stop(conf)).ok
    assert control.asked(conf) == "stopped"  # until completed (or absent) is called back
    await recorded.until(lambda: recorded.status() == "completed", "the completed callback")
    assert control.asked(conf) is None
    (rec,) = control.ledger.of(conf)
    assert rec.duration is not None and rec.duration >= 1 and rec.url
    actions = recorded.core.journal.actions(conf)
    assert [(a.kind, a.ok, a.confirmed) for a in actions] == [
        ("recording-pause", True, True),
        ("recording-resume", True, True),
        ("recording-stop", True, True),
    ]
    assert recorded.messages == []


async def test_rest_failure_rolls_back_with_a_readable_message(recorded: Recorded) -> None:
    conf = recorded.conf_sid()
    assert conf is not None
    recorded.sim.fail_next(500, count=10)
    result = await recorded.control.pause(conf)
    assert not result.ok and result.message is not None
    assert result.message.startswith("Could not pause the recording: Twilio had a server error")
    assert recorded.control.asked(conf) is None
    assert recorded.status() == "in-progress"
    assert recorded.messages == [("error", result.message)]


async def test_stopping_a_stopped_recording_says_why(recorded: Recorded) -> None:
    conf = recorded.conf_sid()
    assert conf is not None
    await recorded.sim.sleep(2)
    assert (await recorded.control.stop(conf)).ok
    await recorded.until(lambda: recorded.status() == "completed", "completion")
    again = await recorded.control.stop(conf)
    assert not again.ok and again.message is not None
    assert "Could not stop the recording" in again.message
    assert recorded.control.asked(conf) is None


async def test_a_stop_stays_pending_while_the_conference_ends(recorded: Recorded) -> None:
    """The conference holds a mark per kind: the host's end does not replace the stop's."""
    conf = recorded.conf_sid()
    assert conf is not None
    control, moderator = recorded.control, recorded.core.control
    assert moderator is not None
    recorded.sim.faults.latency = 0.2
    seen: list[tuple[str | None, str | None]] = []
    moderator.host_changed.connect(
        lambda sid: seen.append((control.asked(sid), moderator.in_flight(sid)))
    )
    stop = asyncio.ensure_future(control.stop(conf))
    await recorded.until(lambda: control.asked(conf) == "stopped", "the stop pending")
    assert (await moderator.end_conference(conf)).ok
    assert ("stopped", "ending…") in seen  # both at once
    assert (await stop).ok
    await recorded.until(lambda: control.asked(conf) is None, "the stop confirmed")
    await recorded.until(lambda: moderator.in_flight(conf) is None, "the end confirmed")
