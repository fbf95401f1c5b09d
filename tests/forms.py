"""Builders for Twilio conference callback forms, shaped like Twilio's real ones."""

from __future__ import annotations

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
