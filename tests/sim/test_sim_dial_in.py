"""team-meeting with `dial`: the people call the number and follow its Voice URL's TwiML."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from moderator.domain.twiml import KnownCaller, join_conference
from moderator.sim import Simulator
from moderator.sim.audio import TWILIO_MUSIC
from moderator.sim.records import LINE_NUMBER
from moderator.sim.scenarios import TEAM_MEETING_PEOPLE

from .helpers import Receiver


@pytest.fixture
async def voice_url(receiver: Receiver) -> AsyncIterator[str]:
    """A voice route answering as the console's does: known callers labelled, Mary presents."""
    known = {
        p.number: KnownCaller(p.label, presenter=p.end_conference_on_exit)
        for p in TEAM_MEETING_PEOPLE
    }

    async def voice(request: web.Request) -> web.Response:
        form = await request.post()
        caller = known.get(str(form.get("From", "")))
        twiml = join_conference("TeamMeeting", receiver.url, caller=caller, presenter_expected=True)
        return web.Response(text=twiml, content_type="text/xml")

    app = web.Application()
    app.router.add_post("/twilio/voice", voice)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/twilio/voice"))
    await server.close()


async def test_team_meeting_dials_in_through_the_voice_url(
    sim: Simulator, receiver: Receiver, voice_url: str
) -> None:
    sim.set_voice_url(LINE_NUMBER, voice_url)
    conference_sid = await sim.start_scenario(
        "team-meeting", callback_url="http://unused.invalid/", dial=LINE_NUMBER
    )
    await sim.drain()
    events = receiver.events(conference_sid)
    assert events[0] == "participant-join" and events[-1] == "conference-end"
    joins = receiver.of("participant-join")
    assert [j.form["ParticipantLabel"] for j in joins[:4]] == ["Mary", "Alice", "Bob", "Charles"]
    mary = joins[0].form
    assert (mary["StartConferenceOnEnter"], mary["EndConferenceOnExit"]) == ("true", "true")
    assert all(j.form["StartConferenceOnEnter"] == "false" for j in joins[1:])
    assert len({j.form["CallSid"] for j in joins}) == 5  # Bob calls twice
    assert "participant-hold" in events and "participant-speech-start" in events
    end = receiver.of("conference-end")[0].form
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["CallSidEndingConference"] == mary["CallSid"]
    receiver.assert_signed(sim.auth_token)
    assert all(call.status == "completed" for call in sim.world.calls.values())
    # Mary, alone until Alice came, heard Twilio's wait music; Alice started nothing to wait for
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sim.base_url}/_sim/calls/{mary['CallSid']}") as resp:
            record = await resp.json()
        async with http.get(f"{sim.base_url}/_sim/calls/{joins[1].form['CallSid']}") as resp:
            alice = await resp.json()
    assert record["heard"] == [{"kind": "music", "url": TWILIO_MUSIC}]
    assert (record["status"], record["conference"]) == ("completed", None)
    assert alice["heard"] == []


async def test_dial_must_be_a_number_of_the_account(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="not one of"):
        sim.start_scenario("team-meeting", callback_url="http://x/", dial="+19995550000")
