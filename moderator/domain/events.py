"""Twilio conference status callbacks, parsed from their form into typed, immutable events."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from enum import Enum
from functools import lru_cache


class EventKind(str, Enum):
    """Every `StatusCallbackEvent` value Twilio sends for conferences, plus UNKNOWN."""

    CONFERENCE_START = "conference-start"
    CONFERENCE_END = "conference-end"
    PARTICIPANT_JOIN = "participant-join"
    PARTICIPANT_LEAVE = "participant-leave"
    PARTICIPANT_MUTE = "participant-mute"
    PARTICIPANT_UNMUTE = "participant-unmute"
    PARTICIPANT_HOLD = "participant-hold"
    PARTICIPANT_UNHOLD = "participant-unhold"
    PARTICIPANT_MODIFY = "participant-modify"
    SPEECH_START = "participant-speech-start"
    SPEECH_STOP = "participant-speech-stop"
    ANNOUNCEMENT_END = "announcement-end"
    ANNOUNCEMENT_FAIL = "announcement-fail"
    UNKNOWN = "unknown"

    @classmethod
    def from_wire(cls, value: str) -> EventKind:
        """The kind for a `StatusCallbackEvent` value; UNKNOWN for anything Twilio adds later."""
        return _BY_WIRE.get(value, cls.UNKNOWN)  # a dict: Enum's lookup by value is slower

    @property
    def is_participant_event(self) -> bool:
        """Participant events carry a CallSid and the participant's flags."""
        return self in _PARTICIPANT_KINDS  # asked several times a callback by the fold


_BY_WIRE: dict[str, EventKind] = {kind.value: kind for kind in EventKind}
_PARTICIPANT_KINDS = frozenset(kind for kind in EventKind if kind.startswith("participant-"))


class MalformedCallback(ValueError):
    """A callback form that cannot be a Twilio conference event; names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ConferenceEvent:
    """One conference status callback. Flags are None when the callback did not carry them.

    A live roster keeps every callback of a meeting (288,000 in four hours of 250 people):
    slots, and the strings and times that repeat shared between events (parse_callback), keep
    each one small.
    """

    kind: EventKind
    name: str  # the raw StatusCallbackEvent, kept for unknown events
    conference_sid: str
    sequence: int
    timestamp: datetime
    friendly_name: str = ""
    account_sid: str = ""
    call_sid: str | None = None
    label: str | None = None
    muted: bool | None = None
    hold: bool | None = None
    coaching: bool | None = None
    call_sid_to_coach: str | None = None  # CallSidToCoach, when a coaching callback has it
    end_conference_on_exit: bool | None = None
    start_conference_on_enter: bool | None = None
    call_status: str | None = None  # ParticipantCallStatus on participant-leave
    reason: str | None = None  # ReasonParticipantLeft, ReasonConferenceEnded or Reason
    call_sid_ending_conference: str | None = None
    announce_url: str | None = None  # AnnounceUrl on announcement-end/-fail
    announcement_failed: str | None = None  # ReasonAnnouncementFailed

    @property
    def key(self) -> tuple[str, int]:
        """Identity of a delivery: Twilio's retries repeat the same key."""
        return (self.conference_sid, self.sequence)


_BOOLEANS = {"true": True, "false": False}


def _optional_bool(form: Mapping[str, str], field: str) -> bool | None:
    raw = form.get(field)
    if raw is None or raw == "":
        return None
    value = _BOOLEANS.get(raw)  # Twilio's "true"/"false" as they come, else tidied first
    if value is None:
        value = _BOOLEANS.get(raw.strip().lower())
    if value is None:
        raise MalformedCallback(field, f"expected 'true' or 'false', got {raw[:40]!r}")
    return value


def _required(form: Mapping[str, str], field: str) -> str:
    value = (form.get(field) or "").strip()
    if not value:
        raise MalformedCallback(field, "missing")
    return value


def _optional(form: Mapping[str, str], field: str) -> str | None:
    value = form.get(field)
    return value if value else None


def _shared(value: str | None) -> str | None:
    """One copy of a string that repeats from callback to callback (SIDs, names, labels)."""
    return sys.intern(value) if type(value) is str else value


# Bounds that keep every later use of a callback's numbers safe: SQLite stores signed 64-bit
# integers, and a date near year 9999 overflows as soon as it is shifted to UTC or added to.
MAX_SEQUENCE_DIGITS = 18  # below 2**63
EARLIEST_YEAR = 1970
LATEST_YEAR = 9000


def parse_timestamp(raw: str, name: str = "Timestamp") -> datetime:
    """An RFC 2822 date (the field `name`, Twilio's `Timestamp` unless said) as an aware UTC
    datetime within sane years; MalformedCallback for anything else, a huge offset included."""
    parsed = _utc_time(raw)
    if isinstance(parsed, str):
        raise MalformedCallback(name, parsed)
    return parsed


# Twilio's timestamps have whole seconds: the callbacks of one second (up to a thousand of them
# in a burst) share one parse and one datetime object.
@lru_cache(maxsize=256)
def _utc_time(raw: str) -> datetime | str:
    """`raw` as an aware UTC datetime, or why it is not one."""
    try:
        parsed = parsedate_to_datetime(raw)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        parsed = parsed.astimezone(timezone.utc)
    except (TypeError, ValueError, IndexError, OverflowError):
        return f"not an RFC 2822 date: {raw[:40]!r}"
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        return f"year {parsed.year} is out of range"
    return parsed


def parse_sequence(raw: str, name: str = "SequenceNumber") -> int:
    """A sequence (`SequenceNumber` unless `name` says): ASCII digits only, small enough for a
    signed 64-bit column."""
    if not (raw.isascii() and raw.isdigit()):
        raise MalformedCallback(name, f"not a non-negative integer: {raw[:20]!r}")
    if len(raw.lstrip("0")) > MAX_SEQUENCE_DIGITS:
        raise MalformedCallback(name, f"more than {MAX_SEQUENCE_DIGITS} digits")
    return int(raw)


def format_timestamp(moment: datetime) -> str:
    """`moment` in Twilio's RFC 2822 form, e.g. 'Thu, 01 Jun 2017 20:48:32 +0000'."""
    return moment.astimezone(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")


def parse_callback(form: Mapping[str, str], received_at: datetime) -> ConferenceEvent:
    """Parse a conference statusCallback form; `received_at` stands in for a missing Timestamp.

    Raises MalformedCallback naming the field when the form is not a conference event.
    Unknown events and parameters are accepted: Twilio adds new ones over time. The deprecated
    `conference-record-end` names itself in `EventName` and has no StatusCallbackEvent (and may
    have no SequenceNumber): it is kept as an unknown event, numbered 0.
    """
    legacy = (form.get("EventName") or "").strip()
    name = legacy if legacy and not form.get("StatusCallbackEvent") else None
    name = name or _required(form, "StatusCallbackEvent")
    kind = EventKind.from_wire(name)
    conference_sid = _required(form, "ConferenceSid")
    if kind is EventKind.UNKNOWN and not form.get("SequenceNumber"):
        sequence = 0
    else:
        sequence = parse_sequence(_required(form, "SequenceNumber"))
    raw_time = form.get("Timestamp")
    timestamp = parse_timestamp(raw_time) if raw_time else received_at.astimezone(timezone.utc)
    call_sid = _optional(form, "CallSid")
    if kind.is_participant_event and call_sid is None:
        raise MalformedCallback("CallSid", f"missing on {name}")
    return ConferenceEvent(
        kind=kind,
        name=sys.intern(name),
        conference_sid=sys.intern(conference_sid),
        sequence=sequence,
        timestamp=timestamp,
        friendly_name=sys.intern(form.get("FriendlyName", "")),
        account_sid=sys.intern(form.get("AccountSid", "")),
        call_sid=_shared(call_sid),
        label=_shared(_optional(form, "ParticipantLabel")),
        muted=_optional_bool(form, "Muted"),
        hold=_optional_bool(form, "Hold"),
        coaching=_optional_bool(form, "Coaching"),
        call_sid_to_coach=_optional(form, "CallSidToCoach"),
        end_conference_on_exit=_optional_bool(form, "EndConferenceOnExit"),
        start_conference_on_enter=_optional_bool(form, "StartConferenceOnEnter"),
        call_status=_shared(_optional(form, "ParticipantCallStatus")),
        reason=(
            _optional(form, "ReasonParticipantLeft")
            or _optional(form, "ReasonConferenceEnded")
            or _optional(form, "Reason")
        ),
        call_sid_ending_conference=_optional(form, "CallSidEndingConference"),
        announce_url=_optional(form, "AnnounceUrl"),
        announcement_failed=_optional(form, "ReasonAnnouncementFailed"),
    )
