"""The transcript fold: partials replaced by finals, duplicates and any order converge."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.domain.events import MalformedCallback
from moderator.domain.transcripts import (
    CONTENT,
    STARTED,
    STOPPED,
    Transcript,
    parse_transcription_callback,
)
from tests.forms import call_sid, transcription_form
from tests.helpers.properties import examples

NOW = datetime(2026, 11, 25, 15, 5, tzinfo=timezone.utc)


def _parse(form: dict[str, str]):  # type: ignore[no-untyped-def]
    return parse_transcription_callback(form, NOW)


def _history() -> list[dict[str, str]]:
    """Alice and Bob: each a start, partials, a final, and Alice a second utterance."""
    return [
        transcription_form(STARTED, 1, who="Alice"),
        transcription_form(CONTENT, 2, who="Alice", text="Good", final=False),
        transcription_form(CONTENT, 3, who="Alice", text="Good morning", final=False),
        transcription_form(CONTENT, 4, who="Alice", text="Good morning everyone."),
        transcription_form(STARTED, 1, who="Bob", seconds=1.5),
        transcription_form(CONTENT, 2, who="Bob", text="Hi", final=False, seconds=5.5),
        transcription_form(CONTENT, 3, who="Bob", text="Hi Alice.", seconds=6),
        transcription_form(CONTENT, 5, who="Alice", text="Let's begin", final=False, seconds=7),
        transcription_form(CONTENT, 6, who="Alice", text="Let's begin with sales.", seconds=8),
        transcription_form(STOPPED, 7, who="Alice", seconds=9),
    ]


def test_parses_twilio_parameters() -> None:
    event = _parse(transcription_form(CONTENT, 4, who="Alice", text="Good morning."))
    assert event.call_sid == call_sid("Alice")
    assert event.transcription_sid.startswith("GT")
    assert (event.event, event.sequence, event.final) == (CONTENT, 4, True)
    assert (event.text, event.confidence) == ("Good morning.", 0.91)
    assert event.track == "inbound_track" and event.language == "en-US"
    assert event.at == datetime(2026, 11, 25, 15, 0, 4, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"CallSid": "CAnope"}, "CallSid"),
        ({"TranscriptionSid": ""}, "TranscriptionSid"),
        ({"TranscriptionEvent": ""}, "TranscriptionEvent"),
        ({"SequenceId": "-1"}, "SequenceId"),
        ({"SequenceId": "9" * 40}, "SequenceId"),
        ({"SequenceId": ""}, "SequenceId"),
        ({"TranscriptionData": "{not json"}, "TranscriptionData"),
        ({"TranscriptionData": json.dumps({"confidence": 1})}, "TranscriptionData"),
        ({"TranscriptionData": json.dumps({"transcript": "x" * 5000})}, "TranscriptionData"),
        ({"Timestamp": "yesterday"}, "Timestamp"),
        ({"Timestamp": "1" * 100}, "Timestamp"),
    ],
)
def test_malformed_callbacks_name_the_field(change: dict[str, str], field: str) -> None:
    form = transcription_form(CONTENT, 4, who="Alice", text="Hello") | change
    with pytest.raises(MalformedCallback) as caught:
        _parse(form)
    assert caught.value.field == field


def test_unknown_events_and_parameters_are_kept_and_change_nothing() -> None:
    transcript = Transcript()
    form = transcription_form("transcription-paused", 9, who="Alice", Brand="new")
    assert transcript.apply(_parse(form)) is None
    assert transcript.finals() == []


def test_partials_are_shown_then_replaced_by_the_final() -> None:
    transcript = Transcript()
    history = [_parse(f) for f in _history()]
    for event in history[:3]:
        transcript.apply(event)
    assert [line.text for line in transcript.partials()] == ["Good morning"]
    assert transcript.finals() == []
    assert transcript.last_line(call_sid("Alice")).text == "Good morning"  # type: ignore[union-attr]
    transcript.apply(history[3])
    assert transcript.partials() == []
    assert [line.text for line in transcript.finals()] == ["Good morning everyone."]


def test_finals_only_in_time_order_with_speakers() -> None:
    transcript = Transcript()
    transcript.extend(_parse(f) for f in _history())
    assert [(line.call_sid, line.text) for line in transcript.finals()] == [
        (call_sid("Alice"), "Good morning everyone."),
        (call_sid("Bob"), "Hi Alice."),
        (call_sid("Alice"), "Let's begin with sales."),
    ]
    assert transcript.partials() == []
    assert not transcript.transcribing(call_sid("Alice"))
    assert transcript.transcribing(call_sid("Bob"))
    assert [line.text for line in transcript.search("ALICE")] == ["Hi Alice."]
    assert [line.text for line in transcript.finals([call_sid("Bob")])] == ["Hi Alice."]


def test_a_late_partial_never_replaces_its_final() -> None:
    transcript = Transcript()
    forms = _history()
    transcript.apply(_parse(forms[3]))  # the final first
    assert transcript.apply(_parse(forms[2])) is None  # its partial, late
    assert transcript.partials() == []
    assert transcript.last_line(call_sid("Alice")).text == "Good morning everyone."  # type: ignore[union-attr]


def test_stopped_before_started_stays_stopped() -> None:
    transcript = Transcript()
    transcript.apply(_parse(transcription_form(STOPPED, 9, who="Alice")))
    transcript.apply(_parse(transcription_form(STARTED, 1, who="Alice")))
    assert not transcript.transcribing(call_sid("Alice"))


def _state(transcript: Transcript) -> tuple[object, ...]:
    return (
        tuple(transcript.finals()),
        tuple(transcript.partials()),
        tuple(sorted(transcript.status.items())),
    )


@settings(max_examples=examples(200), deadline=None)
@given(st.permutations(range(10)), st.lists(st.integers(0, 9), max_size=6))
def test_any_order_and_duplicates_converge(order: list[int], repeats: list[int]) -> None:
    events = [_parse(f) for f in _history()]
    expected = Transcript()
    expected.extend(events)
    shuffled = Transcript()
    shuffled.extend(events[i] for i in [*order, *repeats])
    assert _state(shuffled) == _state(expected)


def test_each_line_goes_where_its_speaker_was() -> None:
    from datetime import timedelta

    from moderator.domain.timeline import Span
    from moderator.domain.transcripts import Line, place

    t0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)

    def at(seconds: int) -> datetime:
        return t0 + timedelta(seconds=seconds)

    alice, bob = call_sid("Alice"), call_sid("Bob")
    presence = {
        "CFmain": {alice: (Span(at(0), at(60)), Span(at(120))), bob: (Span(at(0)),)},
        "CFroom": {alice: (Span(at(60), at(120)),)},
    }

    def line(who: str, seconds: int) -> Line:
        return Line(at(seconds), who, "GT" + who[2:], seconds, f"{seconds}", True)

    placed = place(
        [line(alice, 10), line(alice, 65), line(alice, 125), line(bob, 70), line(alice, 125)],
        presence,
    )
    assert [x.text for x in placed["CFmain"]] == ["10", "125", "70", "125"]
    assert [x.text for x in placed["CFroom"]] == ["65"]
    # where two spans hold the moment (the grace after leaving), the later join wins
    late = place([line(alice, 62)], presence)
    assert [x.text for x in late["CFmain"]] == []
    assert [x.text for x in late["CFroom"]] == ["62"]
    assert place([line(call_sid("Eve"), 5)], presence) == {"CFmain": [], "CFroom": []}


def test_twilios_documented_payloads_parse() -> None:
    """The example payloads of Twilio's <Transcription> page (SIDs made valid here)."""
    call, gt = "CA" + "a" * 32, "GT6ebb54a123f0c86b70605a4925836f69"
    partial = {
        "LanguageCode": "en-US",
        "TranscriptionSid": gt,
        "Stability": "0.9",
        "TranscriptionEvent": "transcription-content",
        "CallSid": call,
        "TranscriptionData": '{"transcript":"Hello, this is Sam from Horizon Financial Services."}',
        "Timestamp": "2026-01-23T21:47:44.614701800Z",
        "Final": "false",
        "AccountSid": "AC" + "b" * 32,
        "Track": "inbound_track",
        "SequenceId": "70",
    }
    event = _parse(partial)
    assert (event.final, event.confidence, event.sequence) == (False, None, 70)
    assert event.at == datetime(2026, 1, 23, 21, 47, 44, 614701, tzinfo=timezone.utc)
    started = {
        "TranscriptionSid": gt,
        "Timestamp": "2024-06-25T18:45:12.135751Z",
        "AccountSid": "AC" + "b" * 32,
        "ProviderConfiguration": '{"profanityFilter":"true","speechModel":"telephony"}',
        "Name": "Chris Transcription",
        "LanguageCode": "en-US",
        "PartialResults": "false",
        "TranscriptionEvent": "transcription-started",
        "CallSid": call,
        "TranscriptionEngine": "google",
        "Track": "both_tracks",
        "SequenceId": "1",
    }
    assert _parse(started).event == STARTED
    error = {
        "TranscriptionSid": gt,
        "Timestamp": "2023-10-19T22:33:22.611Z",
        "AccountSid": "AC" + "b" * 32,
        "SequenceId": "3",
        "TranscriptionEvent": "transcription-error",
        "CallSid": call,
        "TranscriptionErrorCode": "32655",
        "TranscriptionError": "Provider Unavailable",
    }
    assert _parse(error).error == "Provider Unavailable (32655)"
    transcript = Transcript()
    for form in (started, partial, error):
        transcript.apply(_parse(form))
    assert transcript.status[gt] == "transcription-error"
    assert not transcript.transcribing(call)


def test_the_outbound_track_names_no_speaker() -> None:
    transcript = Transcript()
    heard = transcription_form(CONTENT, 4, who="Alice", text="Hold music", Track="outbound_track")
    assert transcript.apply(_parse(heard)) is None
    assert transcript.finals() == []


def test_a_transcription_stopped_mid_utterance_leaves_no_partial_standing() -> None:
    """Captions turned off (or the call gone) while Alice talked: her words never become final;
    the partial went on showing as if she were still speaking (seen in the demo)."""
    forms = [
        transcription_form(STARTED, 1, who="Alice"),
        transcription_form(CONTENT, 2, who="Alice", text="Good morning everyone."),
        transcription_form(CONTENT, 3, who="Alice", text="Great, let's", final=False),
        transcription_form(STOPPED, 4, who="Alice"),
    ]
    for order in (forms, [forms[0], forms[1], forms[3], forms[2]]):  # the partial late, too
        transcript = Transcript()
        transcript.extend(_parse(f) for f in order)
        assert transcript.partials() == []
        last = transcript.last_line(call_sid("Alice"))
        assert last is not None and last.text == "Good morning everyone."
