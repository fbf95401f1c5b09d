"""POST /twilio/transcription-events: signed like every route, journaled before the 204."""

from __future__ import annotations

import json

import pytest

from moderator.domain.transcripts import CONTENT, STARTED, Line, Transcript
from moderator.server.transcript_route import TranscriptIngest
from moderator.store.transcript_log import TranscriptLog
from tests.forms import call_sid, transcription_form

from .test_webhooks import PUBLIC, Factory, Harness, harness

__all__ = ["harness"]

PATH = "/twilio/transcription-events"


def with_transcripts(h: Harness) -> TranscriptLog:
    store = TranscriptLog(h.journal.path)
    h.server.transcripts = TranscriptIngest(store, Transcript())
    return store


async def test_signed_callbacks_are_stored_then_answered(harness: Factory) -> None:
    h = await harness(PUBLIC)
    store = with_transcripts(h)
    assert h.server.transcripts is not None
    shown: list[Line] = []
    h.server.transcripts.lines.connect(shown.append)
    partial = transcription_form(CONTENT, 2, who="Alice", text="Good", final=False)
    final = transcription_form(CONTENT, 3, who="Alice", text="Good morning.")
    for form in (transcription_form(STARTED, 1, who="Alice"), partial, final, final):
        assert (await h.post(form, path=PATH)).status == 204
    assert [e.sequence for e in store.events()] == [1, 2, 3, 3]  # every delivery journaled
    assert [(line.text, line.final) for line in shown] == [("Good", False), ("Good morning.", True)]
    (line,) = store.transcript().finals()
    assert (line.call_sid, line.text) == (call_sid("Alice"), "Good morning.")
    assert h.journal.callback_count() == 0  # not a conference event
    store.close()


async def test_unsigned_or_wrongly_signed_is_403_and_not_stored(harness: Factory) -> None:
    h = await harness()
    store = with_transcripts(h)
    form = transcription_form(CONTENT, 3, who="Mallory", text="I was never here.")
    assert (await h.post(form, path=PATH, sign=False)).status == 403
    wrong = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert (await h.post(form, path=PATH, sign=False, headers=wrong)).status == 403
    assert list(store.events()) == []
    assert h.server.transcripts is not None and h.server.transcripts.transcript.finals() == []
    store.close()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"TranscriptionSid": "nope"}, "TranscriptionSid"),
        ({"SequenceId": "x"}, "SequenceId"),
        ({"TranscriptionData": "<b>not json</b>"}, "TranscriptionData"),
        ({"TranscriptionData": json.dumps(["transcript"])}, "TranscriptionData"),
    ],
)
async def test_malformed_is_400_naming_the_field_and_not_stored(
    harness: Factory, change: dict[str, str], field: str
) -> None:
    h = await harness()
    store = with_transcripts(h)
    form = transcription_form(CONTENT, 3, who="Alice", text="Hello") | change
    response = await h.post(form, path=PATH)
    assert response.status == 400
    text = await response.text()
    assert field in text and "Traceback" not in text
    assert list(store.events()) == []
    store.close()


async def test_a_huge_body_is_refused(harness: Factory) -> None:
    h = await harness()
    store = with_transcripts(h)
    form = transcription_form(CONTENT, 3, who="Alice", text="blah " * 5000)
    assert (await h.post(form, path=PATH)).status == 413
    assert list(store.events()) == []
    store.close()


async def test_a_callback_that_cannot_be_stored_is_500_and_not_shown(harness: Factory) -> None:
    h = await harness()
    store = with_transcripts(h)
    assert h.server.transcripts is not None
    store.close()  # its connection gone: every append fails, as a lost disk would
    form = transcription_form(CONTENT, 3, who="Alice", text="Lost words.")
    assert (await h.post(form, path=PATH)).status == 500
    assert h.server.transcripts.transcript.finals() == []


async def test_not_taken_without_captions_wiring(harness: Factory) -> None:
    h = await harness()
    form = transcription_form(CONTENT, 3, who="Alice", text="Hello")
    assert (await h.post(form, path=PATH)).status == 404
