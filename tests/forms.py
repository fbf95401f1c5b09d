"""Builders for Twilio conference callback forms, shaped like Twilio's real ones."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from moderator.domain.events import format_timestamp

ACCOUNT_SID = "AC" + "1" * 32
CONFERENCE_SID = "CF" + "2" * 32
START = datetime(2026, 11, 25, 15, 0, 0, tzinfo=timezone.utc)


def call_sid(name: str) -> str:
    """A stable CallSid per person, so tests can name participants."""
    return "CA" + name.encode().hex().ljust(32, "0")[:32]


def form(
    event: str,
    sequence: int,
    *,
    who: str | None = None,
    conference_sid: str = CONFERENCE_SID,
    friendly_name: str = "TeamMeeting",
    muted: bool = False,
    hold: bool = False,
    start_on_enter: bool = False,
    end_on_exit: bool = False,
    **extra: str,
) -> dict[str, str]:
    """A callback form; participant fields are added when `who` is given."""
    fields = {
        "AccountSid": ACCOUNT_SID,
        "ConferenceSid": conference_sid,
        "FriendlyName": friendly_name,
        "StatusCallbackEvent": event,
        "SequenceNumber": str(sequence),
        "Timestamp": format_timestamp(START + timedelta(seconds=sequence)),
    }
    if who is not None:
        fields.update(
            CallSid=call_sid(who),
            ParticipantLabel=who,
            Muted=str(muted).lower(),
            Hold=str(hold).lower(),
            Coaching="false",
            EndConferenceOnExit=str(end_on_exit).lower(),
            StartConferenceOnEnter=str(start_on_enter).lower(),
        )
    fields.update(extra)
    return fields


def team_meeting() -> list[dict[str, str]]:
    """The TeamMeeting example: Mary presents, Alice, Bob, Charles join, Alice muted, Bob leaves."""
    return [
        form("participant-join", 1, who="Mary", start_on_enter=True, end_on_exit=True),
        form("participant-join", 2, who="Alice"),
        form("conference-start", 3),
        form("participant-join", 4, who="Bob"),
        form("participant-join", 5, who="Charles"),
        form("participant-mute", 6, who="Alice", muted=True),
        form(
            "participant-leave",
            7,
            who="Bob",
            ParticipantCallStatus="completed",
            ReasonParticipantLeft="participant_hung_up",
        ),
    ]


def transcription_sid(name: str) -> str:
    """A stable TranscriptionSid per person (GT…)."""
    return "GT" + name.encode().hex().ljust(32, "0")[:32]


def transcription_form(
    event: str,
    sequence: int,
    *,
    who: str,
    text: str | None = None,
    final: bool = True,
    seconds: float | None = None,
    **extra: str,
) -> dict[str, str]:
    """A real-time transcription callback form (Twilio's parameter names) for `who`'s leg;
    `text` makes it a transcription-content with TranscriptionData."""
    moment = START + timedelta(seconds=sequence if seconds is None else seconds)
    fields = {
        "AccountSid": ACCOUNT_SID,
        "CallSid": call_sid(who),
        "TranscriptionSid": transcription_sid(who),
        "TranscriptionEvent": event,
        "SequenceId": str(sequence),
        "Timestamp": moment.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "Track": "inbound_track",
        "LanguageCode": "en-US",
        "ProviderName": "Google",
    }
    if text is not None:
        fields["TranscriptionData"] = json.dumps({"transcript": text, "confidence": 0.91})
        fields["Final"] = "true" if final else "false"
    fields.update(extra)
    return fields
