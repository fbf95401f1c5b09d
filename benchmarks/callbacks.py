"""Twilio-shaped conference callbacks for benchmark meetings: 250 people join, mute, speak, stop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from twilio.request_validator import RequestValidator

from moderator.domain.events import format_timestamp

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token-" + "0" * 15
START = datetime(2026, 11, 25, 15, 0, 0, tzinfo=timezone.utc)
PEOPLE = 250  # Twilio's cap on one conference


def conference_sid(n: int) -> str:
    return f"CF{n:032x}"


def call_sid(conference: int, person: int) -> str:
    return f"CA{conference:016x}{person:016x}"


@dataclass
class Meeting:
    """The callbacks of one conference, in the order Twilio would number them."""

    number: int
    people: int = PEOPLE
    name: str = ""

    @property
    def sid(self) -> str:
        return conference_sid(self.number)

    @property
    def friendly_name(self) -> str:
        return self.name or f"Bench{self.number}"

    def _form(
        self, event: str, sequence: int, person: int | None = None, **extra: str
    ) -> dict[str, str]:
        fields = {
            "AccountSid": ACCOUNT_SID,
            "ConferenceSid": self.sid,
            "FriendlyName": self.friendly_name,
            "StatusCallbackEvent": event,
            "SequenceNumber": str(sequence),
            "Timestamp": format_timestamp(START + timedelta(milliseconds=10 * sequence)),
        }
        if person is not None:
            fields.update(
                CallSid=call_sid(self.number, person),
                ParticipantLabel=f"Guest {person:03d}" if person else "Presenter",
                Muted="false",
                Hold="false",
                Coaching="false",
                EndConferenceOnExit=str(person == 0).lower(),
                StartConferenceOnEnter=str(person == 0).lower(),
            )
        fields.update(extra)
        return fields

    def joins(self) -> list[dict[str, str]]:
        """Everyone joins (the presenter first, then the conference starts)."""
        forms = [self._form("participant-join", 1, 0), self._form("conference-start", 2)]
        forms += [self._form("participant-join", 2 + p, p) for p in range(1, self.people)]
        return forms

    def activity(self, first_sequence: int | None = None) -> list[dict[str, str]]:
        """Each guest is muted, then speaks and stops (three callbacks per guest)."""
        seq = first_sequence if first_sequence is not None else self.people + 1
        forms: list[dict[str, str]] = []
        for p in range(1, self.people):
            forms.append(self._form("participant-mute", seq, p, Muted="true"))
            forms.append(self._form("participant-speech-start", seq + 1, p, Muted="true"))
            forms.append(self._form("participant-speech-stop", seq + 2, p, Muted="true"))
            seq += 3
        return forms

    def speech(
        self, count: int, first_sequence: int, speakers: int | None = None
    ) -> Iterator[dict[str, str]]:
        """`count` speech start/stop callbacks cycling through the guests (the first
        `speakers` of them: tiles the window shows without scrolling)."""
        cycle = min(speakers or self.people - 1, self.people - 1)
        for i in range(count):
            person = 1 + (i // 2) % cycle
            event = "participant-speech-start" if i % 2 == 0 else "participant-speech-stop"
            yield self._form(event, first_sequence + i, person)

    def end(self, sequence: int) -> dict[str, str]:
        return self._form(
            "conference-end", sequence, ReasonConferenceEnded="conference-ended-via-api"
        )

    def meeting(self) -> list[dict[str, str]]:
        """Joins, activity, end: 4 callbacks per person (the ingest benchmark's round)."""
        forms = self.joins() + self.activity()
        return [*forms, self.end(len(forms) + 1)]


Signed = tuple[dict[str, str], str]


def sign(url: str, forms: list[dict[str, str]], token: str = AUTH_TOKEN) -> list[Signed]:
    """Each form with its X-Twilio-Signature for `url` (computed before any timing starts)."""
    validator = RequestValidator(token)
    return [(form, validator.compute_signature(url, form)) for form in forms]
