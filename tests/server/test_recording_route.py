"""POST /twilio/recording-events: signed like the conference route, journaled before the 204."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from moderator.domain.recordings import RecordingLedger
from moderator.domain.twiml import join_conference
from moderator.server.recording_route import RecordingIngest
from moderator.store.recording_log import RecordingLog
from tests.forms import CONFERENCE_SID

from .test_webhooks import PUBLIC, Factory, Harness, harness

__all__ = ["harness"]

PATH = "/twilio/recording-events"
RECORDING_SID = "RE" + "a" * 32


def recording_form(status: str, **extra: str) -> dict[str, str]:
    fields = {
        "AccountSid": "AC" + "0" * 32,
        "ConferenceSid": CONFERENCE_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{RECORDING_SID}",
        "RecordingStatus": status,
        "RecordingChannels": "1",
        "RecordingStartTime": "Wed, 25 Nov 2026 21:00:00 +0000",
        "RecordingSource": "Conference",
        "ErrorCode": "0",
    }
    fields.update(extra)
    return fields


def with_recordings(h: Harness, tmp_path: Path) -> RecordingLog:
    store = RecordingLog(h.journal.path)
    h.server.recordings = RecordingIngest(store, RecordingLedger())
    return store


async def test_signed_recording_callbacks_are_stored_then_answered(
    harness: Factory, tmp_path: Path
) -> None:
    h = await harness(PUBLIC)
    store = with_recordings(h, tmp_path)
    seen: list[Any] = []
    assert h.server.recordings is not None
    h.server.recordings.recordings.connect(seen.append)
    assert (await h.post(recording_form("in-progress"), path=PATH)).status == 204
    done = recording_form("completed", RecordingDuration="42")
    assert (await h.post(done, path=PATH)).status == 204
    assert [e.status for e in store.events()] == ["in-progress", "completed"]
    (rec,) = store.ledger().of(CONFERENCE_SID)
    assert (rec.status, rec.duration) == ("completed", 42)
    assert [r.status for r in seen] == ["in-progress", "completed"]
    assert h.journal.callback_count() == 0  # not a conference event
    store.close()


async def test_unsigned_or_wrongly_signed_is_403_and_not_stored(
    harness: Factory, tmp_path: Path
) -> None:
    h = await harness()
    store = with_recordings(h, tmp_path)
    assert (await h.post(recording_form("in-progress"), path=PATH, sign=False)).status == 403
    wrong = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    response = await h.post(recording_form("in-progress"), path=PATH, sign=False, headers=wrong)
    assert response.status == 403
    assert list(store.events()) == []
    store.close()


async def test_malformed_is_400_and_not_stored(harness: Factory, tmp_path: Path) -> None:
    h = await harness()
    store = with_recordings(h, tmp_path)
    no_sid = recording_form("completed")
    del no_sid["RecordingSid"]
    response = await h.post(no_sid, path=PATH)
    assert response.status == 400
    assert "RecordingSid" in await response.text()
    bad_duration = recording_form("completed", RecordingDuration="long")
    assert (await h.post(bad_duration, path=PATH)).status == 400
    assert list(store.events()) == []
    store.close()


async def test_voice_route_records_from_start_when_asked(harness: Factory) -> None:
    h = await harness(PUBLIC)
    h.server.record = True
    response = await h.post({"From": "+15550100", "To": "+15550199"}, path="/twilio/voice")
    text = await response.text()
    assert 'record="record-from-start"' in text
    assert f'recordingStatusCallback="{PUBLIC}{PATH}"' in text
    assert 'recordingStatusCallbackEvent="in-progress completed absent"' in text
    plain = join_conference("Room", f"{PUBLIC}/twilio/conference-events")
    assert "record" not in plain.replace("Callback", "")


@pytest.mark.parametrize(
    "start_time",
    [
        "Wed, 25 Nov 2026 21:00:00 +9999999999",  # an offset beyond any timedelta
        "Wed, 25 Nov 99999999 21:00:00 +0000",  # a year beyond any datetime
        "Wed, 25 Nov 9999 23:59:59 -2359",  # valid, but past year 9999 once in UTC
    ],
)
async def test_a_start_time_out_of_range_is_400_not_a_traceback(
    harness: Factory, tmp_path: Path, start_time: str
) -> None:
    h = await harness()
    store = with_recordings(h, tmp_path)
    fields = recording_form("in-progress", RecordingStartTime=start_time)
    response = await h.post(fields, path=PATH)
    assert response.status == 400
    text = await response.text()
    assert "RecordingStartTime" in text and "Traceback" not in text
    huge = recording_form("completed", RecordingDuration="9" * 40)
    assert (await h.post(huge, path=PATH)).status == 400
    assert list(store.events()) == []
    store.close()


async def test_a_failing_listener_still_gets_twilio_its_204(
    harness: Factory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    h = await harness()
    store = with_recordings(h, tmp_path)
    assert h.server.recordings is not None
    seen: list[Any] = []

    def broken(_recording: Any) -> None:
        raise RuntimeError("a bug in a listener")

    h.server.recordings.recordings.connect(broken)
    h.server.recordings.recordings.connect(seen.append)
    assert (await h.post(recording_form("in-progress"), path=PATH)).status == 204
    assert [r.status for r in seen] == ["in-progress"]  # the next listener still heard it
    assert len(list(store.events())) == 1
    assert "a listener of recording_ingest.recordings failed" in caplog.text
    store.close()
