"""Simulated Twilio resources: calls, conference participants and conferences, as plain records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime

from moderator.domain.twilio_words import EVENT_WORDS

MAX_PARTICIPANTS = 250
DEFAULT_REST_EVENTS = frozenset({"start", "end"})
LINE_NUMBER = "+12025550199"  # the number callers dial to reach the simulated conference line


def utcnow() -> datetime:
    """Now, in UTC, at Twilio's one-second resolution."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's date format, e.g. `Thu, 01 Jun 2017 20:48:32 +0000`."""
    return None if moment is None else format_datetime(moment)


def tf(value: bool) -> str:
    """Twilio's lowercase boolean strings."""
    return "true" if value else "false"


def parse_events(events: str | Iterable[str] | None) -> frozenset[str] | None:
    """Subscribed statusCallbackEvent words from a space/comma separated string or a list."""
    if events is None:
        return None
    items = [events] if isinstance(events, str) else list(events)
    words = {w for item in items for w in item.replace(",", " ").split()}
    return frozenset(w for w in words if w in EVENT_WORDS)


@dataclass
class Call:
    """The call leg behind a participant (what GET .../Calls/CA….json answers)."""

    sid: str
    from_: str
    to: str
    direction: str
    caller_name: str | None
    status: str
    date_created: datetime
    date_updated: datetime
    start_time: datetime | None = None
    end_time: datetime | None = None
    # the voice path (calls that walk TwiML): what the caller will key at each <Gather>, what
    # the caller heard ((kind, text or URL or why): Say, Play, Music, Silence, see audio.py)
    # and keyed, in order, and the conference the call is in now
    digits: list[str] = field(default_factory=list)
    heard: list[tuple[str, str]] = field(default_factory=list)
    keyed: list[str] = field(default_factory=list)
    conference_sid: str | None = None
    end_told: bool = False  # its number's StatusCallback has been sent its end

    @property
    def live(self) -> bool:
        """Not yet ended (queued, ringing or in-progress)."""
        return self.status in ("queued", "ringing", "in-progress")


@dataclass
class PhoneNumber:
    """A number the account owns (an IncomingPhoneNumber) and where its calls go."""

    sid: str
    phone_number: str
    friendly_name: str
    date_created: datetime
    date_updated: datetime
    voice_url: str = ""
    voice_method: str = "POST"
    voice_fallback_url: str = ""
    voice_fallback_method: str = "POST"
    status_callback: str = ""
    status_callback_method: str = "POST"
    voice_caller_id_lookup: bool = False


@dataclass
class Participant:
    """One call in a conference."""

    call_sid: str
    conference_sid: str
    label: str | None = None
    muted: bool = False
    hold: bool = False
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    beep_on_exit: bool = True
    hold_url: str | None = None
    hold_method: str = "GET"
    speaking: bool = False
    status: str = "queued"
    date_created: datetime = field(default_factory=utcnow)
    date_updated: datetime = field(default_factory=utcnow)

    @property
    def connected(self) -> bool:
        """In the conference (not still ringing)."""
        return self.status == "connected"

    def describe(self) -> str:
        """Label or CallSid, for log and error text."""
        return self.label or self.call_sid


@dataclass
class Conference:
    """A conference room and its live participants."""

    sid: str
    account_sid: str
    friendly_name: str
    status_callback: str | None = None
    status_callback_method: str = "POST"
    events: frozenset[str] = DEFAULT_REST_EVENTS
    record: str = "do-not-record"  # <Conference record>, fixed like the subscription
    subscription_fixed: bool = False
    status: str = "init"
    started: bool = False
    participants: dict[str, Participant] = field(default_factory=dict)
    reason_conference_ended: str | None = None
    call_sid_ending_conference: str | None = None
    date_created: datetime = field(default_factory=utcnow)
    date_updated: datetime = field(default_factory=utcnow)
    sequence: int = 0

    @property
    def live(self) -> bool:
        """Not yet completed."""
        return self.status != "completed"

    def connected(self) -> list[Participant]:
        """Participants currently in the room."""
        return [p for p in self.participants.values() if p.connected]

    def next_sequence(self) -> int:
        """SequenceNumber for the next callback of this conference (1, 2, 3 …)."""
        self.sequence += 1
        return self.sequence
