"""The voice path: incoming calls follow the TwiML a test web app serves, as Twilio would."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.sim.voice import APPLICATION_ERROR

from .helpers import Receiver, TwimlApp, point, twiml, until

CALLER = "+13125550101"
OTHER = "+14155550102"


async def post_call(sim: Simulator, **form: str) -> tuple[int, dict[str, Any]]:
    """POST /_sim/calls, the sim-only endpoint (no credentials)."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sim.base_url}/_sim/calls", data=form) as resp,
    ):
        return resp.status, await resp.json()


async def test_say_pause_play_hangup_with_the_standard_signed_parameters(
    sim: Simulator, app: TwimlApp
) -> None:
    point(sim, app)
    app.pages["/voice"] = twiml(
        '<Say voice="alice">Welcome</Say><Pause length="2"/><Play>https://x/tone.mp3</Play>'
        "<Hangup/><Say>never heard</Say>"
    )
    call = sim.place_call(CALLER, LINE_NUMBER)
    assert call.status == "ringing"
    await until(lambda: call.status == "completed", "the call to end")
    assert call.heard == [
        ("Say", "Welcome"),
        ("Silence", "2 s pause"),
        ("Play", "https://x/tone.mp3"),
    ]
    (path, method, form, signed), *_ = app.requests
    assert (path, method, signed) == ("/voice", "POST", True)
    assert form == {
        "AccountSid": sim.account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": call.sid,
        "CallStatus": "ringing",
        "Called": LINE_NUMBER,
        "Caller": CALLER,
        "Direction": "inbound",
        "From": CALLER,
        "To": LINE_NUMBER,
    }
    assert call.start_time is not None and call.end_time is not None


async def test_gather_posts_digits_then_falls_through_when_none_are_left(
    sim: Simulator, app: TwimlApp
) -> None:
    point(sim, app)
    app.pages["/voice"] = twiml(
        '<Gather action="/pin" numDigits="6" timeout="3"><Say>Your PIN?</Say></Gather>'
        "<Say>no input</Say>"
    )
    app.pages["/pin"] = twiml(
        '<Gather action="pin2" method="GET" finishOnKey="*"><Say>Again?</Say></Gather>'
        '<Redirect method="GET">/bye?step=3</Redirect>'
    )
    app.pages["/bye"] = twiml("<Say>Goodbye</Say>")
    status, body = await post_call(sim, From=CALLER, To=LINE_NUMBER, Digits="12345678#9,")
    assert status == 201
    sid = body["sid"]
    call = sim.call(sid)
    await until(lambda: call.status == "completed", "the call to end")
    pin = app.form("/pin")
    assert (pin["Digits"], pin["CallStatus"], pin["FinishedOnKey"]) == (
        "123456",
        "in-progress",
        "#",
    )
    # the second <Gather> got an empty entry: nothing posted, the next verb (a GET redirect) ran
    assert [p for p, *_ in app.requests] == ["/voice", "/pin", "/bye"]
    assert all(ok for *_, ok in app.requests)  # GET signed over its query string
    assert app.form("/bye")["step"] == "3" and app.form("/bye")["CallSid"] == sid
    assert call.heard == [("Say", "Your PIN?"), ("Say", "Again?"), ("Say", "Goodbye")]


async def test_gather_without_digits_falls_through_to_the_next_verb(
    sim: Simulator, app: TwimlApp
) -> None:
    point(sim, app)
    app.pages["/voice"] = twiml('<Gather action="/pin"><Say>PIN?</Say></Gather><Say>bye</Say>')
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: call.status == "completed", "the call to end")
    assert call.heard == [("Say", "PIN?"), ("Say", "bye")]
    assert [p for p, *_ in app.requests] == ["/voice"]


@pytest.mark.parametrize(
    ("page", "code"),
    [
        ("this is not xml", 12100),
        ("<Html><Body>hello</Body></Html>", 12100),
        (twiml("<Dance/>"), 12100),
        ((500, "boom"), 11200),
        ((404, "nothing"), 11200),
    ],
)
async def test_a_bad_answer_ends_the_call_with_the_application_error(
    sim: Simulator, app: TwimlApp, page: str | tuple[int, str], code: int
) -> None:
    point(sim, app)
    app.pages["/voice"] = page
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: call.status == "completed", "the call to end")
    assert call.heard == [("Say", APPLICATION_ERROR)]
    (entry,) = sim.voice.debugger
    assert (entry.code, entry.call_sid, entry.url) == (code, call.sid, app.url("/voice"))
    async with aiohttp.ClientSession() as http, http.get(f"{sim.base_url}/_sim/debugger") as resp:
        assert [e["code"] for e in await resp.json()] == [code]


async def test_unreachable_voice_url_is_11200_and_fallback_is_used(
    sim: Simulator, app: TwimlApp
) -> None:
    sim.set_voice_url(LINE_NUMBER, "http://127.0.0.1:9/voice")
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: call.status == "completed", "the call to end")
    assert [e.code for e in sim.voice.debugger] == [11200]
    number = sim.number_for(LINE_NUMBER)
    assert number is not None
    number.voice_fallback_url = app.url("/fallback")
    app.pages["/fallback"] = twiml("<Say>Sorry, try later</Say>")
    second = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: second.status == "completed", "the second call to end")
    assert second.heard == [("Say", "Sorry, try later")]


async def test_unknown_number_is_refused(sim: Simulator) -> None:
    status, body = await post_call(sim, From=CALLER, To="+19995550000")
    assert (status, body["code"]) == (404, 20404)


async def test_dial_conference_with_attributes_and_the_rest_after_it_ends(
    sim: Simulator, app: TwimlApp, receiver: Receiver
) -> None:
    point(sim, app)
    conference = (
        '<Dial action="/after"><Conference statusCallback="{cb}" statusCallbackMethod="POST"'
        ' statusCallbackEvent="start end join leave mute" muted="{muted}" beep="false"'
        ' startConferenceOnEnter="{start}" endConferenceOnExit="{end}"'
        ' participantLabel="{label}" waitUrl="/hold" record="record-from-start">'
        "Room</Conference></Dial><Say>not reached</Say>"
    )
    app.pages["/voice"] = twiml(
        conference.format(cb=receiver.url, muted="false", start="true", end="true", label="Host")
    )
    app.pages["/guest"] = twiml(
        conference.format(cb="http://ignored", muted="true", start="false", end="false", label="G")
    )
    app.pages["/after"] = twiml("<Say>The meeting has ended</Say>")
    app.pages["/hold"] = twiml("<Say>Please hold</Say>")
    host = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: host.heard == [("Say", "Please hold")], "the host alone, waiting")
    point(sim, app, "/guest")
    guest = sim.place_call(OTHER, LINE_NUMBER)
    await until(lambda: guest.conference_sid is not None, "the guest to join")
    conf = sim.conference(host.conference_sid or "")
    # the guest starts the conference by joining: no wait music for it
    assert conf.record == "record-from-start" and guest.heard == []
    assert [(p, m) for p, m, *_ in app.requests if p == "/hold"] == [("/hold", "POST")]
    await receiver.wait_for(lambda: "conference-start" in receiver.events())

    await sim.hang_up(host.sid)  # endConferenceOnExit: the guest is taken out, goes on
    await until(lambda: guest.status == "completed", "the guest's call to end")
    assert guest.heard[-1] == ("Say", "The meeting has ended")
    after = app.form("/after")
    assert (after["DialCallStatus"], after["CallSid"]) == ("answered", guest.sid)
    await receiver.wait_for(lambda: "conference-end" in receiver.events())
    assert receiver.events() == [
        "participant-join",
        "participant-join",
        "conference-start",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]
    joins = receiver.of("participant-join")
    assert [j.form["ParticipantLabel"] for j in joins] == ["Host", "G"]
    assert [j.form["Muted"] for j in joins] == ["false", "true"]
    assert [j.form["StartConferenceOnEnter"] for j in joins] == ["true", "false"]
    assert joins[0].form["EndConferenceOnExit"] == "true"
    assert [r.seq for r in receiver.items] == [1, 2, 3, 4, 5, 6]
    leaves = receiver.of("participant-leave")
    assert [r.form["ReasonParticipantLeft"] for r in leaves] == [
        "participant_hung_up",
        "moderator_ended_conference",
    ]
    receiver.assert_signed(sim.auth_token)


async def test_twiml_subscribes_to_nothing_unless_told(
    sim: Simulator, app: TwimlApp, receiver: Receiver
) -> None:
    point(sim, app)
    app.pages["/voice"] = twiml(
        f'<Dial><Conference statusCallback="{receiver.url}">Quiet</Conference></Dial>'
    )
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: call.conference_sid is not None, "the join")
    await sim.hang_up(call.sid)
    await sim.drain()
    assert receiver.events() == []


async def test_calls_update_moves_a_caller_between_conferences(
    sim: Simulator, app: TwimlApp, client: Client, receiver: Receiver
) -> None:
    point(sim, app)
    join = (
        '<Dial><Conference statusCallback="{cb}" statusCallbackEvent="join leave end"'
        ' startConferenceOnEnter="true">{room}</Conference></Dial>'
    )
    app.pages["/voice"] = twiml(join.format(cb=receiver.url, room="Lobby"))
    app.pages["/main"] = twiml(join.format(cb=receiver.url, room="Main"))
    stays = sim.place_call(OTHER, LINE_NUMBER)
    await until(lambda: stays.conference_sid is not None, "the first caller")
    mover = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: mover.conference_sid is not None, "the second caller")
    lobby = mover.conference_sid

    updated = await client.calls(mover.sid).update_async(url=app.url("/main"), method="POST")
    assert (updated.status, updated.direction) == ("in-progress", "inbound")
    await until(lambda: mover.conference_sid not in (None, lobby), "the move")
    main = mover.conference_sid
    await receiver.wait_for(lambda: len(receiver.of("participant-join")) == 3)
    leave = receiver.of("participant-leave")[0]
    assert leave.form["CallSid"] == mover.sid and leave.form["ConferenceSid"] == lobby
    assert leave.form["ReasonParticipantLeft"] == "participant_updated_via_api"
    assert leave.form["ParticipantCallStatus"] == "in-progress"
    assert receiver.of("participant-join")[-1].form["ConferenceSid"] == main
    assert sim.conference(lobby or "").live  # the other caller is still there

    # inline TwiML moves it back; then Status=completed hangs it up
    await client.calls(mover.sid).update_async(twiml=twiml(join.format(cb="x", room="Lobby")))
    await until(lambda: mover.conference_sid == lobby, "the move back")
    done = await client.calls(mover.sid).update_async(status="completed")
    assert done.status == "completed"
    fetched = await client.calls(mover.sid).fetch_async()
    assert (fetched.status, fetched._from, fetched.to) == ("completed", CALLER, LINE_NUMBER)
    with pytest.raises(TwilioRestException) as info:
        await client.calls(mover.sid).update_async(twiml=twiml("<Hangup/>"))
    assert (info.value.status, info.value.code) == (400, 21220)
    await sim.drain()
    assert not sim.conference(main or "").live  # its last participant left


async def test_status_callback_method_get_is_signed_over_the_query(
    sim: Simulator, app: TwimlApp
) -> None:
    point(sim, app)
    events = app.url("/events?room=1")
    app.pages["/events"] = (204, "")
    app.pages["/voice"] = twiml(
        f'<Dial><Conference statusCallback="{events}" statusCallbackMethod="GET"'
        ' statusCallbackEvent="join">Room</Conference></Dial>'
    )
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: any(p == "/events" for p, *_ in app.requests), "the join callback")
    path, method, form, signed = app.requests[-1]
    assert (path, method, signed) == ("/events", "GET", True)
    assert (form["StatusCallbackEvent"], form["CallSid"], form["room"]) == (
        "participant-join",
        call.sid,
        "1",
    )
