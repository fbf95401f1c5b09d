"""Parsing Twilio's conference callback forms."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from moderator.domain.events import EventKind, MalformedCallback, format_timestamp, parse_callback
from tests.forms import form

DATA = Path(__file__).parent.parent / "data"
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


def recorded(name: str) -> dict[str, str]:
    return dict(parse_qsl((DATA / f"{name}.form").read_text().strip(), keep_blank_values=True))


def test_recorded_participant_join() -> None:
    event = parse_callback(recorded("participant-join"), NOW)
    assert event.kind is EventKind.PARTICIPANT_JOIN
    assert event.conference_sid == "CFd0ef3dc1c2c51a4e9e7c1de2c5ee4c3b"
    assert event.call_sid == "CA8dd8b6e1e3b2d0f9c3a4f5f3b2a1c0d9"
    assert event.label == "Alice"
    assert event.sequence == 3
    assert event.timestamp == datetime(2026, 11, 25, 15, 0, 4, tzinfo=timezone.utc)
    assert (event.muted, event.hold, event.coaching) == (False, False, False)
    assert event.friendly_name == "TeamMeeting"


def test_recorded_participant_leave_has_reason_and_status() -> None:
    event = parse_callback(recorded("participant-leave"), NOW)
    assert event.kind is EventKind.PARTICIPANT_LEAVE
    assert event.reason == "participant_hung_up"
    assert event.call_status == "completed"
    assert event.muted is True


def test_recorded_conference_end() -> None:
    event = parse_callback(recorded("conference-end"), NOW)
    assert event.kind is EventKind.CONFERENCE_END
    assert event.call_sid is None
    assert event.reason == "participant-with-end-conference-on-exit-left"
    assert event.call_sid_ending_conference == "CA11aa22bb33cc44dd55ee66ff77889900"


def test_unknown_parameters_are_ignored() -> None:
    event = parse_callback(recorded("speech-start"), NOW)
    assert event.kind is EventKind.SPEECH_START
    assert event.end_conference_on_exit is True


@pytest.mark.parametrize("kind", [k for k in EventKind if k is not EventKind.UNKNOWN])
def test_every_event_twilio_sends_has_a_kind(kind: EventKind) -> None:
    who = "Alice" if kind.is_participant_event else None
    event = parse_callback(form(kind.value, 4, who=who), NOW)
    assert event.kind is kind
    assert event.name == kind.value


def test_unknown_event_is_kept_not_rejected() -> None:
    event = parse_callback(form("conference-record-end", 9), NOW)
    assert event.kind is EventKind.UNKNOWN
    assert event.name == "conference-record-end"


def test_missing_timestamp_falls_back_to_received_time() -> None:
    fields = form("conference-start", 1)
    del fields["Timestamp"]
    assert parse_callback(fields, NOW).timestamp == NOW


def test_timestamp_round_trips_through_twilio_format() -> None:
    moment = datetime(2017, 6, 1, 20, 48, 32, tzinfo=timezone.utc)
    assert format_timestamp(moment) == "Thu, 01 Jun 2017 20:48:32 +0000"
    fields = form("conference-start", 1, Timestamp=format_timestamp(moment))
    assert parse_callback(fields, NOW).timestamp == moment


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"StatusCallbackEvent": ""}, "StatusCallbackEvent"),
        ({"ConferenceSid": ""}, "ConferenceSid"),
        ({"SequenceNumber": "seven"}, "SequenceNumber"),
        ({"SequenceNumber": "-1"}, "SequenceNumber"),
        ({"Timestamp": "yesterday-ish"}, "Timestamp"),
        ({"Muted": "maybe"}, "Muted"),
        ({"Hold": "1"}, "Hold"),
        ({"CallSid": ""}, "CallSid"),
    ],
)
def test_malformed_form_names_the_field(change: dict[str, str], field: str) -> None:
    fields = {**form("participant-mute", 3, who="Bob"), **change}
    with pytest.raises(MalformedCallback) as caught:
        parse_callback(fields, NOW)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_missing_sequence_number_is_malformed() -> None:
    fields = form("conference-start", 1)
    del fields["SequenceNumber"]
    with pytest.raises(MalformedCallback, match="SequenceNumber"):
        parse_callback(fields, NOW)


def test_deprecated_record_end_with_event_name_is_kept_as_unknown() -> None:
    fields = form("conference-record-end", 4)
    del fields["StatusCallbackEvent"]
    del fields["SequenceNumber"]
    fields.update(EventName="conference-record-end", RecordingUrl="https://api.twilio.com/rec")
    event = parse_callback(fields, NOW)
    assert (event.kind, event.name, event.sequence) == (
        EventKind.UNKNOWN,
        "conference-record-end",
        0,
    )


def test_announcement_fail_carries_its_url_and_reason() -> None:
    fields = form(
        "announcement-fail",
        8,
        AnnounceUrl="https://example.com/a.mp3",
        ReasonAnnouncementFailed="Unable to fetch",
    )
    event = parse_callback(fields, NOW)
    assert (event.call_sid, event.announce_url, event.announcement_failed) == (
        None,
        "https://example.com/a.mp3",
        "Unable to fetch",
    )


def _copied(fields: dict[str, str]) -> dict[str, str]:
    """The form as a server reads it off the wire: every value a string object of its own."""
    return {key: "".join(list(value)) for key, value in fields.items()}


def test_callbacks_of_one_meeting_share_their_repeated_strings_and_times() -> None:
    # A live roster keeps every callback of a meeting: what repeats is kept once.
    first = recorded("participant-join")
    second = {**first, "SequenceNumber": "4", "StatusCallbackEvent": "participant-speech-start"}
    one, two = parse_callback(_copied(first), NOW), parse_callback(_copied(second), NOW)
    assert one.conference_sid is two.conference_sid
    assert one.call_sid is two.call_sid
    assert one.account_sid is two.account_sid
    assert one.friendly_name is two.friendly_name
    assert one.label is two.label
    assert one.timestamp is two.timestamp  # the same second: one datetime
    assert not hasattr(one, "__dict__")  # slots: no dictionary per callback


def test_a_bad_timestamp_is_refused_every_time_it_comes() -> None:
    bad = {**recorded("participant-join"), "Timestamp": "yesterday"}
    for _ in range(2):  # the second parse is remembered: it must refuse as the first did
        with pytest.raises(MalformedCallback, match="Timestamp: not an RFC 2822 date"):
            parse_callback(bad, NOW)


def test_every_kind_is_read_from_the_wire_and_knows_if_it_is_about_a_participant() -> None:
    for kind in EventKind:
        assert EventKind.from_wire(kind.value) is kind
        assert kind.is_participant_event == kind.value.startswith("participant-")
    for later in ("participant-moved", "conference-paused", "", "PARTICIPANT-JOIN"):
        assert EventKind.from_wire(later) is EventKind.UNKNOWN
    fields = form("participant-mute", 3, who="Alice", muted=True)
    for spelled in ("true", " TRUE ", "True"):
        assert parse_callback({**fields, "Muted": spelled}, NOW).muted is True
