"""The team-meeting and large scenarios, played fast, and their cancellation."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from moderator.sim import Simulator

from .helpers import Receiver, async_client_for, make_sim


async def test_team_meeting(receiver: Receiver) -> None:
    async with make_sim(speed=400) as sim:
        conf = await sim.start_scenario("team-meeting", callback_url=receiver.url)
        await sim.drain()
        assert sim.conference(conf).status == "completed"
    receiver.assert_signed(sim.auth_token)
    items = receiver.items
    assert [r.seq for r in items] == list(range(1, len(items) + 1))
    assert {r.form["FriendlyName"] for r in items} == {"TeamMeeting"}

    joins = [r.form["ParticipantLabel"] for r in receiver.of("participant-join")]
    assert joins == ["Mary", "Alice", "Bob", "Charles", "Bob"]
    events = receiver.events()
    assert events[:3] == ["participant-join", "participant-join", "conference-start"]
    mary = receiver.of("participant-join")[0].form
    assert (mary["StartConferenceOnEnter"], mary["EndConferenceOnExit"]) == ("true", "true")
    assert receiver.of("participant-join")[1].form["StartConferenceOnEnter"] == "false"

    bob_calls = [r.form["CallSid"] for r in receiver.of("participant-join")[2::2]]
    assert len(set(bob_calls)) == 2  # rejoined as a new call
    bob_first_leave = next(
        r for r in receiver.of("participant-leave") if r.form["CallSid"] == bob_calls[0]
    )
    assert bob_first_leave.form["ReasonParticipantLeft"] == "participant_hung_up"
    assert sim.call(bob_calls[0]).from_ == sim.call(bob_calls[1]).from_

    holds = [(r.event, r.form["ParticipantLabel"]) for r in items if "hold" in r.event]
    assert holds == [("participant-hold", "Charles"), ("participant-unhold", "Charles")]

    talks = Counter(r.form["ParticipantLabel"] for r in receiver.of("participant-speech-start"))
    assert talks.most_common(1)[0][0] == "Mary"
    assert len(receiver.of("participant-speech-stop")) == sum(talks.values())

    leaves = {r.form["ParticipantLabel"]: r for r in receiver.of("participant-leave")[1:]}
    assert leaves["Alice"].form["ReasonParticipantLeft"] == "moderator_ended_conference"
    end = items[-1].form
    assert end["StatusCallbackEvent"] == "conference-end"
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["ParticipantLabelEndingConference"] == "Mary"
    assert all(n.startswith("+1") and len(n) == 12 for n in (sim.call(c).from_ for c in bob_calls))


async def test_scenario_ends_early_when_the_console_ends_the_conference(
    receiver: Receiver,
) -> None:
    async with make_sim(speed=50) as sim:
        task = sim.start_scenario("team-meeting", callback_url=receiver.url)
        await receiver.wait_for(lambda: "conference-start" in receiver.events())
        conf = receiver.items[0].form["ConferenceSid"]
        await sim.end_conference(conf)
        assert await asyncio.wait_for(task, 5) == conf
        await sim.drain()
    assert receiver.events()[-1] == "conference-end"


async def test_scenario_can_be_cancelled(receiver: Receiver) -> None:
    sim = make_sim(speed=1)
    await sim.start()
    task = sim.start_scenario("team-meeting", callback_url=receiver.url)
    await receiver.wait_for(lambda: len(receiver.items) >= 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    running = sim.start_scenario("team-meeting", callback_url=receiver.url)
    await asyncio.sleep(0)
    await sim.stop()  # cancels the second one
    assert running.cancelled()


async def test_unknown_scenario_and_bad_count(sim: Simulator, receiver: Receiver) -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        sim.start_scenario("party", callback_url=receiver.url)
    with pytest.raises(ValueError, match="count"):
        sim.start_scenario("large", callback_url=receiver.url, count=251)


async def test_large_meeting_fills_the_conference(receiver: Receiver) -> None:
    async with make_sim(speed=5) as sim:  # guests start leaving at 20 s: 4 s real time
        task = sim.start_scenario("large", callback_url=receiver.url, duration=60)
        await receiver.wait_for(lambda: len(receiver.of("participant-join")) == 250, timeout=10)
        conf = receiver.items[0].form["ConferenceSid"]
        labels = [r.form["ParticipantLabel"] for r in receiver.of("participant-join")]
        assert labels[:3] == ["Presenter", "Guest 001", "Guest 002"]
        assert labels[-1] == "Guest 249"
        assert "conference-start" in receiver.events()
        twilio: Client
        twilio, http = async_client_for(sim)
        try:
            listed = await twilio.conferences(conf).participants.list_async(page_size=100)
            assert len(listed) == 250
            assert all(p.muted for p in listed if p.label != "Presenter")
            with pytest.raises(TwilioRestException) as full:
                await twilio.conferences(conf).participants.create_async(
                    from_="+12025550199", to="+16175550123"
                )
            assert full.value.code == 16020
        finally:
            await http.close()
        assert not task.done()
    assert task.cancelled()


async def test_large_meeting_runs_to_its_end(receiver: Receiver) -> None:
    async with make_sim(speed=200) as sim:
        conf = await sim.start_scenario("large", callback_url=receiver.url, count=20, duration=30)
        await sim.drain()
        assert sim.conference(conf).status == "completed"
    assert len(receiver.of("participant-join")) == 20
    assert len(receiver.of("participant-leave")) == 20
    assert receiver.items[-1].form["ReasonConferenceEnded"] == (
        "participant-with-end-conference-on-exit-left"
    )
