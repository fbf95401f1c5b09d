"""Conference recordings in the simulator: record-from-start, pause/resume/stop over REST,
signed recording status callbacks, completion when the conference ends."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from moderator.domain.recordings import CURRENT
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER

from .helpers import TwimlApp, point, twiml, until
from .test_sim_voice import CALLER, OTHER

RECORDED = (
    '<Dial><Conference record="record-from-start" statusCallback="{cb}"'
    ' statusCallbackEvent="start end join leave" recordingStatusCallback="{rec}"'
    ' recordingStatusCallbackEvent="in-progress completed absent">Room</Conference></Dial>'
)


def statuses(app: TwimlApp) -> list[str]:
    return [form["RecordingStatus"] for p, _m, form, _ok in app.requests if p == "/recording"]


async def two_callers(sim: Simulator, app: TwimlApp, body: str) -> str:
    point(sim, app)
    app.pages["/voice"] = twiml(body.format(cb=app.url("/events"), rec=app.url("/recording")))
    app.pages["/events"] = (204, "")
    app.pages["/recording"] = (204, "")
    sim.place_call(CALLER, LINE_NUMBER)
    sim.place_call(OTHER, LINE_NUMBER)
    await until(
        lambda: any(c.status == "in-progress" for c in sim.world.conferences.values()),
        "the conference to start",
    )
    (conf,) = sim.world.conferences.values()
    return conf.sid


async def test_record_from_start_pause_resume_stop_with_callbacks(
    sim: Simulator, app: TwimlApp, client: Client
) -> None:
    conf_sid = await two_callers(sim, app, RECORDED)
    await until(lambda: statuses(app) == ["in-progress"], "the recording to start")
    recordings = client.conferences(conf_sid).recordings
    (listed,) = await recordings.list_async()
    assert listed.status == "in-progress" and listed.source == "Conference"
    paused = await recordings(CURRENT).update_async(status="paused", pause_behavior="skip")
    assert paused.sid == listed.sid and paused.status == "paused"
    resumed = await recordings(listed.sid).update_async(status="in-progress")
    assert resumed.status == "in-progress"
    await sim.sleep(2)
    await recordings(listed.sid).update_async(status="stopped")
    await until(lambda: statuses(app)[-1:] == ["completed"], "the completed callback")
    # Twilio's documented events only: pause, resume and stop send no callback (the REST
    # answer says what happened), so the in-progress subscriber hears the start alone
    assert statuses(app) == ["in-progress", "completed"]
    done = [form for p, _m, form, ok in app.requests if p == "/recording" and ok]
    assert len(done) == 2  # every callback signed
    final = done[-1]
    assert final["RecordingSid"] == listed.sid and final["ConferenceSid"] == conf_sid
    assert int(final["RecordingDuration"]) >= 1
    assert final["RecordingUrl"].endswith(f"/Recordings/{listed.sid}")
    fetched = await recordings(listed.sid).fetch_async()
    assert fetched.status == "completed" and int(fetched.duration) >= 1
    with pytest.raises(TwilioRestException) as stopped:
        await recordings(listed.sid).update_async(status="in-progress")
    assert stopped.value.status == 400
    with pytest.raises(TwilioRestException) as none_live:
        await recordings(CURRENT).update_async(status="paused")
    assert (none_live.value.status, none_live.value.code) == (404, 20404)


async def test_recording_completes_when_the_conference_ends(
    sim: Simulator, app: TwimlApp, client: Client
) -> None:
    conf_sid = await two_callers(sim, app, RECORDED)
    await until(lambda: statuses(app) == ["in-progress"], "the recording to start")
    await sim.sleep(3)
    await client.conferences(conf_sid).update_async(status="completed")
    await until(lambda: statuses(app)[-1:] == ["completed"], "the recording to complete")
    (rec,) = sim.recordings.of(conf_sid)
    assert rec.status == "completed" and rec.duration is not None and rec.duration >= 3


async def test_bad_status_is_a_400_and_no_recording_without_record(
    sim: Simulator, app: TwimlApp, client: Client
) -> None:
    conf_sid = await two_callers(sim, app, RECORDED)
    await until(lambda: statuses(app) == ["in-progress"], "the recording to start")
    with pytest.raises(TwilioRestException) as bad:
        await client.conferences(conf_sid).recordings(CURRENT).update_async(status="completed")
    assert bad.value.status == 400


async def test_no_recording_unless_asked(sim: Simulator, app: TwimlApp, client: Client) -> None:
    conf_sid = await two_callers(sim, app, RECORDED.replace("record-from-start", "do-not-record"))
    assert await client.conferences(conf_sid).recordings.list_async() == []
