"""team-meeting with `dial`: the people call the number and follow its Voice URL's TwiML."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from moderator.domain.call_status import CALL_STATUSES
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


@pytest.fixture
async def ends() -> AsyncIterator[tuple[str, list[dict[str, str]], asyncio.Event]]:
    """A StatusCallback target that records each call's end; its voice route answers only once
    `answer` is set (until then a call rings)."""
    seen: list[dict[str, str]] = []
    answer = asyncio.Event()

    async def call_status(request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        seen.append({**form, "signature": request.headers.get("X-Twilio-Signature", "")})
        return web.Response(status=204)

    async def voice(request: web.Request) -> web.Response:
        await answer.wait()
        return web.Response(text="<Response><Say>Hello</Say></Response>", content_type="text/xml")

    app = web.Application()
    app.router.add_post("/twilio/call-status", call_status)
    app.router.add_post("/twilio/voice", voice)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")), seen, answer
    answer.set()
    await server.close()


async def test_the_numbers_status_callback_hears_each_calls_end(
    sim: Simulator,
    client: Client,
    receiver: Receiver,
    voice_url: str,
    ends: tuple[str, list[dict[str, str]], asyncio.Event],
) -> None:
    """Set through IncomingPhoneNumber StatusCallback as connect-number sets it: one callback
    per call when it has ended, signed, with Twilio's CallStatus and how long it took."""
    base, seen, _answer = ends
    number = (await client.incoming_phone_numbers.list_async(phone_number=LINE_NUMBER))[0]
    await client.incoming_phone_numbers(number.sid).update_async(
        voice_url=voice_url,
        status_callback=base + "/twilio/call-status",
        status_callback_method="POST",
    )
    await sim.start_scenario(
        "team-meeting", callback_url="http://unused.invalid/", dial=LINE_NUMBER
    )
    await sim.drain()
    calls = {call.sid for call in sim.world.calls.values()}
    assert sorted(end["CallSid"] for end in seen) == sorted(calls)  # each once: Bob's two calls
    validator = RequestValidator(sim.auth_token)
    for end in seen:
        assert end["CallStatus"] == "completed" and end["CallStatus"] in CALL_STATUSES
        assert (end["Direction"], end["To"], end["CallbackSource"]) == (
            "inbound",
            LINE_NUMBER,
            "call-progress-events",
        )
        assert int(end["CallDuration"]) >= 0 and end["Timestamp"]
        form = {k: v for k, v in end.items() if k != "signature"}
        assert validator.validate(base + "/twilio/call-status", form, end["signature"])


async def test_a_call_canceled_while_it_rings_ends_canceled(
    sim: Simulator, client: Client, ends: tuple[str, list[dict[str, str]], asyncio.Event]
) -> None:
    base, seen, _answer = ends
    sim.set_voice_url(
        LINE_NUMBER, base + "/twilio/voice", status_callback=base + "/twilio/call-status"
    )
    call = sim.place_call("+14155550123", LINE_NUMBER)  # its voice route does not answer yet
    await client.calls(call.sid).update_async(status="canceled")
    await sim.drain()
    assert [(end["CallSid"], end["CallStatus"]) for end in seen] == [(call.sid, "canceled")]
