"""A call's status callback: how a call to the meeting's number ended.

`connect-number` sets the number's StatusCallback (an IncomingPhoneNumber field) to the
console's `POST /twilio/call-status`, so Twilio says when each call to the number ends, wherever
it was: at the PIN prompt and in the waiting room too, where no conference callback says so.
CallStatus is one of Twilio's documented call statuses (twilio-oai `call_enum_status`); the
number's callback comes when the call has ended, with one of the final ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from moderator.domain.events import MalformedCallback, parse_timestamp
from moderator.domain.sids import CALL, is_sid

# Twilio's call statuses (twilio-oai spec/json/twilio_api_v2010.json, call_enum_status)
CALL_STATUSES = frozenset(
    {"queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"}
)
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class CallStatusEvent:
    """One call status callback as the console keeps it."""

    call_sid: str
    status: str  # as sent (an unknown one is kept, and read as no end)
    number: str  # From: the caller's number
    to: str
    at: datetime  # Twilio's Timestamp, else when it was received
    duration: int | None = None  # CallDuration, seconds

    @property
    def ended(self) -> bool:
        return self.status in ENDED


def parse_call_status(form: Mapping[str, str], received_at: datetime) -> CallStatusEvent:
    """The callback's fields; MalformedCallback when CallSid or CallStatus is missing or wrong.
    Unknown parameters are kept as sent in the journal and ignored here."""
    call_sid = form.get("CallSid", "")
    status = form.get("CallStatus", "")
    if not is_sid(call_sid, CALL):
        raise MalformedCallback("CallSid", "missing or not a call SID")
    if not status:
        raise MalformedCallback("CallStatus", "missing")
    at = parse_timestamp(form["Timestamp"]) if form.get("Timestamp") else received_at
    duration: int | None = None
    if form.get("CallDuration"):
        try:
            duration = int(form["CallDuration"])
        except ValueError:
            raise MalformedCallback("CallDuration", "not a number of seconds") from None
    return CallStatusEvent(
        call_sid=call_sid,
        status=status,
        number=form.get("From", ""),
        to=form.get("To", ""),
        at=at,
        duration=duration,
    )
