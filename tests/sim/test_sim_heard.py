"""What callers hear from the URLs Twilio fetches on its own (waitUrl, HoldUrl, AnnounceUrl),
read back through GET /_sim/calls/{CallSid}, and the smaller ways the voice path follows Twilio."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from moderator.domain import door_twiml
from moderator.domain.door import ASK_PIN, WRONG_PIN
from moderator.sim import Simulator
from moderator.sim.audio import TWILIO_MUSIC
from moderator.sim.records import LINE_NUMBER
from tests.helpers.media import Media
from tests.helpers.sim_calls import call_record

from .helpers import Receiver, TwimlApp, point, room, twiml, until

CALLER, HOST = "+13125550101", "+14155550102"
EVENTS = "http://127.0.0.1:9/events"  # callbacks nobody needs here


async def heard(sim: Simulator, call_sid: str) -> dict[str, Any]:
    return await call_record(sim.base_url, call_sid)


def lobby(wait_url: str | None) -> str:
    """The console's waiting room, as the door answers it."""
    return door_twiml.conference(
        "TeamMeeting-lobby", EVENTS, say="Please wait", wait_url=wait_url, start_on_enter=False
    )


async def test_the_waiting_room_plays_hold_music_from_a_static_host(
    sim: Simulator, app: TwimlApp, media: Media
) -> None:
    music = media.url("hold.mp3")  # a static host: GET only, a POST is answered 405
    point(sim, app)
    app.pages["/voice"] = lobby(music)
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: len(call.heard) == 2, "the caller to wait")
    record = await heard(sim, call.sid)
    assert record["heard"] == [
        {"kind": "say", "text": "Please wait"},
        {"kind": "music", "url": music},
    ]
    assert record["conference"]["friendly_name"] == "TeamMeeting-lobby"
    assert record["conference"]["started"] is False
    assert (record["sid"], record["status"], record["keyed"]) == (call.sid, "in-progress", [])
    assert sim.voice.debugger == []


async def test_a_post_to_a_static_host_is_405_silence_and_11200(
    sim: Simulator, app: TwimlApp, media: Media
) -> None:
    music = media.url("hold.mp3")
    point(sim, app)
    app.pages["/voice"] = lobby(music).replace('waitMethod="GET"', 'waitMethod="POST"')
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: len(call.heard) == 2, "the caller to wait")
    kinds = [entry["kind"] for entry in (await heard(sim, call.sid))["heard"]]
    assert kinds == ["say", "silence"]
    assert "405" in call.heard[-1][1]
    assert [(e.code, e.url) for e in sim.voice.debugger] == [(11200, music)]


async def test_twilios_own_music_plays_without_a_fetch(sim: Simulator, app: TwimlApp) -> None:
    point(sim, app)
    app.pages["/voice"] = lobby(door_twiml.TWILIO_HOLD_MUSIC)
    alone = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: len(alone.heard) == 2, "the caller to wait")
    assert alone.heard[-1] == ("Music", door_twiml.TWILIO_HOLD_MUSIC)
    # a <Conference> without waitUrl plays Twilio's music too
    app.pages["/voice"] = twiml("<Dial><Conference>Room</Conference></Dial>")
    second = sim.place_call(HOST, LINE_NUMBER)
    await until(lambda: second.heard == [("Music", TWILIO_MUSIC)], "Twilio's music")
    assert [p for p, *_ in app.requests] == ["/voice", "/voice"]  # nothing else was fetched


async def test_a_wait_url_answering_twiml_is_followed_and_a_dial_in_it_refused(
    sim: Simulator, app: TwimlApp
) -> None:
    point(sim, app)
    app.pages["/voice"] = twiml(
        '<Dial><Conference waitUrl="/wait" waitMethod="GET">Room</Conference></Dial>'
    )
    app.pages["/wait"] = twiml(
        '<Say>One moment</Say><Pause length="3"/><Redirect method="POST">/more</Redirect>'
        "<Say>never</Say>"
    )
    app.pages["/more"] = twiml("<Play>https://cdn.example/jazz.mp3</Play>")
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: len(call.heard) == 3, "the wait TwiML")
    assert call.heard == [
        ("Say", "One moment"),
        ("Silence", "3 s pause"),
        ("Play", "https://cdn.example/jazz.mp3"),
    ]
    assert [(p, m, ok) for p, m, _f, ok in app.requests[1:]] == [
        ("/wait", "GET", True),
        ("/more", "POST", True),
    ]
    app.pages["/wait"] = twiml("<Say>Hold on</Say><Dial>+15551234567</Dial>")
    other = sim.place_call(HOST, LINE_NUMBER)
    await until(lambda: other.conference_sid is not None, "the second caller")
    # two in a conference whose callers start it: it started, so no wait music for the second
    assert other.heard == []
    await sim.hang_up(call.sid)
    await sim.hang_up(other.sid)
    third = sim.place_call(HOST, LINE_NUMBER)
    await until(lambda: len(third.heard) == 1, "the refused wait TwiML")
    assert third.heard[0][0] == "Silence"
    assert sim.voice.debugger[-1].code == 13238


async def test_hold_fetches_the_hold_url_with_hold_method(
    sim: Simulator, client: Client, app: TwimlApp, media: Media
) -> None:
    conf = sim.create_conference("Room")
    await sim.join(conf, label="Mary")
    bob = await sim.join(conf, label="Bob")
    charles = await sim.join(conf, label="Charles")
    music = media.url("hold.mp3")
    await client.conferences(conf).participants(bob).update_async(hold=True, hold_url=music)
    await client.conferences(conf).participants(charles).update_async(hold=True)
    await sim.drain()
    assert (await heard(sim, bob))["heard"] == [{"kind": "music", "url": music}]
    assert sim.call(charles).heard == [("Music", TWILIO_MUSIC)]  # Twilio's, without HoldUrl
    app.pages["/hold"] = (500, "boom")
    mary = sim.participant(conf, "Mary")
    assert mary is not None
    await (
        client.conferences(conf)
        .participants("Mary")
        .update_async(hold=True, hold_url=app.url("/hold"), hold_method="POST")
    )
    await sim.drain()
    assert sim.call(mary.call_sid).heard[0][0] == "Silence"
    assert [(p, m, ok) for p, m, _f, ok in app.requests] == [("/hold", "POST", True)]
    assert sim.voice.debugger[-1].code == 11200


async def test_an_announce_url_that_fails_is_11200_and_announcement_fail(
    sim: Simulator, client: Client, app: TwimlApp, receiver: Receiver
) -> None:
    conf, (_mary, bob) = await room(sim, receiver, "Mary", "Bob")
    app.pages["/say"] = twiml("<Say>Five minutes left</Say>")
    await client.conferences(conf).update_async(announce_url=app.url("/say"))
    await client.conferences(conf).participants(bob).update_async(announce_url=app.url("/gone"))
    await sim.drain()
    assert [e for e in receiver.events() if e.startswith("announcement")] == [
        "announcement-end",
        "announcement-fail",
    ]
    [failed] = receiver.of("announcement-fail")
    assert "404" in failed.form["ReasonAnnouncementFailed"]
    assert ("Say", "Five minutes left") in sim.call(bob).heard
    assert [e.code for e in sim.voice.debugger] == [11200]
    signed = {p: ok for p, _m, _f, ok in app.requests}
    assert signed == {"/say": True, "/gone": True}


async def test_pound_alone_is_an_empty_entry_the_door_asks_again(
    sim: Simulator, app: TwimlApp
) -> None:
    """# alone ends the Gather at once with nothing keyed; the door's prompt posts the empty
    entry (actionOnEmptyResult) and the PIN route counts it as a wrong PIN."""
    point(sim, app)
    app.pages["/voice"] = door_twiml.ask_pin(app.url("/pin"), ASK_PIN)
    app.pages["/pin"] = door_twiml.ask_pin(app.url("/pin2"), f"{WRONG_PIN} {ASK_PIN}")
    app.pages["/pin2"] = door_twiml.goodbye("Goodbye")
    call = sim.place_call(CALLER, LINE_NUMBER, ["#", "2468#"])
    await until(lambda: call.status == "completed", "the call to end")
    assert (app.form("/pin")["Digits"], app.form("/pin")["FinishedOnKey"]) == ("", "#")
    assert app.form("/pin2")["Digits"] == "2468"
    record = await heard(sim, call.sid)
    assert record["keyed"] == ["#", "2468#"]
    assert [e["text"] for e in record["heard"]] == [ASK_PIN, f"{WRONG_PIN} {ASK_PIN}", "Goodbye"]
    assert record["conference"] is None and record["status"] == "completed"


async def test_a_duplicate_label_is_16025_and_the_call_goes_on(
    sim: Simulator, app: TwimlApp
) -> None:
    point(sim, app)
    app.pages["/voice"] = twiml(
        '<Dial><Conference participantLabel="Bob">Room</Conference></Dial>'
        "<Say>That name is taken</Say>"
    )
    first = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: first.conference_sid is not None, "the first Bob")
    second = sim.place_call(HOST, LINE_NUMBER)
    await until(lambda: second.status == "completed", "the second Bob's call to end")
    assert second.heard == [("Say", "That name is taken")]
    assert [(e.code, e.call_sid) for e in sim.voice.debugger] == [(16025, second.sid)]


async def test_the_fallback_is_told_the_error_code_and_url(sim: Simulator, app: TwimlApp) -> None:
    point(sim, app)
    number = sim.number_for(LINE_NUMBER)
    assert number is not None
    number.voice_fallback_url = app.url("/fallback")
    app.pages["/voice"] = (503, "down")
    app.pages["/fallback"] = twiml("<Say>Sorry</Say>")
    call = sim.place_call(CALLER, LINE_NUMBER)
    await until(lambda: call.status == "completed", "the call to end")
    fallback = app.form("/fallback")
    assert (fallback["ErrorCode"], fallback["ErrorUrl"]) == ("11200", app.url("/voice"))
    assert "ErrorCode" not in app.form("/voice")
    assert call.heard == [("Say", "Sorry")]


async def test_a_bad_parameter_is_400_never_the_warning_20001(
    sim: Simulator, client: Client
) -> None:
    conf = sim.create_conference("Room")
    await sim.join(conf, label="Mary")
    with pytest.raises(TwilioRestException) as info:
        await client.conferences(conf).update_async(status="in-progress")
    assert (info.value.status, info.value.code) == (400, 400)


async def test_the_recording_list_uri_carries_its_default_paging(sim: Simulator) -> None:
    conf = sim.create_conference("Room")
    path = f"/2010-04-01/Accounts/{sim.account_sid}/Conferences/{conf}/Recordings.json"
    auth = {"Authorization": aiohttp.encode_basic_auth(sim.account_sid, sim.auth_token)}
    async with (
        aiohttp.ClientSession(headers=auth) as http,
        http.get(sim.base_url + path) as resp,
    ):
        body = await resp.json()
    assert body["uri"] == f"{path}?PageSize=50&Page=0"  # as twilio-oai's example
    assert body["recordings"] == []


async def test_an_unknown_call_is_20404(sim: Simulator) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{sim.base_url}/_sim/calls/CA{'0' * 32}") as resp,
    ):
        assert resp.status == 404
        assert (await resp.json())["code"] == 20404
