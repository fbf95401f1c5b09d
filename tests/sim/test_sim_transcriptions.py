"""Real-time transcription in the simulator: `<Start><Transcription>` and the Calls
Transcriptions REST resource; a speaker's scripted lines come back as signed callbacks,
partial results then the final one; stopped by REST or when the call ends."""

from __future__ import annotations

import json

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from moderator.domain.sids import is_sid
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER

from .helpers import TwimlApp, point, twiml, until
from .test_sim_voice import CALLER, OTHER

TRANSCRIBED = (
    '<Say>This call is transcribed.</Say><Start><Transcription name="captions"'
    ' statusCallbackUrl="{tx}" track="inbound_track" partialResults="true"/></Start>'
    '<Dial><Conference statusCallback="{cb}" statusCallbackEvent="start end join leave">'
    "Room</Conference></Dial>"
)
PLAIN = (
    '<Dial><Conference statusCallback="{cb}" statusCallbackEvent="start end">'
    "Room</Conference></Dial>"
)


def captions(app: TwimlApp) -> list[dict[str, str]]:
    return [form for p, _m, form, _ok in app.requests if p == "/captions"]


def events(app: TwimlApp) -> list[str]:
    return [form["TranscriptionEvent"] for form in captions(app)]


async def two_callers(sim: Simulator, app: TwimlApp, body: str) -> tuple[str, str]:
    point(sim, app)
    app.pages["/voice"] = twiml(body.format(cb=app.url("/events"), tx=app.url("/captions")))
    app.pages["/events"] = (204, "")
    app.pages["/captions"] = (204, "")
    sim.transcriptions.script(CALLER, ["Good morning everyone, thanks for joining."])
    first = sim.place_call(CALLER, LINE_NUMBER)
    sim.place_call(OTHER, LINE_NUMBER)
    await until(
        lambda: any(c.status == "in-progress" for c in sim.world.conferences.values()),
        "the conference to start",
    )
    (conf,) = sim.world.conferences.values()
    return conf.sid, first.sid


async def test_speech_comes_back_as_partials_then_the_final(sim: Simulator, app: TwimlApp) -> None:
    conf_sid, caller = await two_callers(sim, app, TRANSCRIBED)
    await until(lambda: events(app).count("transcription-started") == 2, "both started")
    await sim.set_speaking(conf_sid, caller, True)
    await sim.sleep(3)
    await sim.set_speaking(conf_sid, caller, False)
    await until(lambda: any(f.get("Final") == "true" for f in captions(app)), "the final")
    content = [f for f in captions(app) if f["TranscriptionEvent"] == "transcription-content"]
    assert all(f["CallSid"] == caller and f["Track"] == "inbound_track" for f in content)
    texts = [(json.loads(f["TranscriptionData"])["transcript"], f["Final"]) for f in content]
    assert texts[-1] == ("Good morning everyone, thanks for joining.", "true")
    partials = [text for text, final in texts if final == "false"]
    assert partials and all(
        "Good morning everyone, thanks for joining.".startswith(p) for p in partials
    )
    (sid,) = {f["TranscriptionSid"] for f in content}
    assert is_sid(sid, "GT")
    mine = [f for f in captions(app) if f["TranscriptionSid"] == sid]
    assert [int(f["SequenceId"]) for f in mine] == list(range(1, len(mine) + 1))
    started = mine[0]
    assert started["TranscriptionEvent"] == "transcription-started"
    assert (started["Name"], started["Track"], started["PartialResults"]) == (
        "captions",
        "inbound_track",
        "true",
    )
    # with partial results Twilio sends Stability and no confidence
    assert all("Stability" in f and "confidence" not in f["TranscriptionData"] for f in content)
    assert all(ok for p, _m, _f, ok in app.requests if p == "/captions")  # every one signed
    heard = [what for _kind, what in sim.call(caller).heard]
    assert heard[0] == "This call is transcribed."


async def test_rest_starts_and_stops_a_transcription_with_callbacks(
    sim: Simulator, app: TwimlApp, client: Client
) -> None:
    conf_sid, caller = await two_callers(sim, app, PLAIN)
    assert captions(app) == []
    transcriptions = client.calls(caller).transcriptions
    created = await transcriptions.create_async(
        name="captions",
        track="inbound_track",
        status_callback_url=app.url("/captions"),
        partial_results=True,
    )
    assert is_sid(created.sid or "", "GT") and created.status == "in-progress"
    assert created.call_sid == caller and created.name == "captions"
    await until(lambda: events(app) == ["transcription-started"], "started")
    with pytest.raises(TwilioRestException) as twice:
        await transcriptions.create_async(name="captions", status_callback_url=app.url("/x"))
    assert twice.value.status == 400
    await sim.set_speaking(conf_sid, caller, True)
    await sim.sleep(1)
    await sim.set_speaking(conf_sid, caller, False)
    await until(lambda: any(f.get("Final") == "true" for f in captions(app)), "the final")
    stopped = await transcriptions("captions").update_async(status="stopped")
    assert stopped.sid == created.sid and stopped.status == "stopped"
    await until(lambda: events(app)[-1] == "transcription-stopped", "stopped")
    again = await client.calls(caller).transcriptions.create_async(
        name="captions", status_callback_url=app.url("/captions")
    )
    assert again.sid != created.sid  # a fresh SID each time
    with pytest.raises(TwilioRestException) as unknown:
        await transcriptions("GT" + "0" * 32).update_async(status="stopped")
    assert (unknown.value.status, unknown.value.code) == (404, 20404)


async def test_a_call_that_ends_stops_its_transcription(
    sim: Simulator, app: TwimlApp, client: Client
) -> None:
    _conf, caller = await two_callers(sim, app, TRANSCRIBED)
    await until(lambda: events(app).count("transcription-started") == 2, "both started")
    await sim.hang_up(caller)
    await until(lambda: "transcription-stopped" in events(app), "stopped")
    (stopped,) = [f for f in captions(app) if f["TranscriptionEvent"] == "transcription-stopped"]
    assert stopped["CallSid"] == caller
    with pytest.raises(TwilioRestException) as ended:
        await client.calls(caller).transcriptions.create_async(status_callback_url="http://x/")
    assert (ended.value.status, ended.value.code) == (400, 21220)
    other = next(c.sid for c in sim.world.calls.values() if c.live)
    with pytest.raises(TwilioRestException) as wrong_track:
        await client.calls(other).transcriptions.create_async(
            track="sideways", status_callback_url="http://x/"
        )
    assert wrong_track.value.status == 400
