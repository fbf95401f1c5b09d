"""What the console knows about a conference and each of its participants, at one moment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from moderator.domain.actions import MOVES, PendingAction
from moderator.domain.names import display_name

ADD_FAILED = "participant_add_failed"  # ReasonParticipantLeft of a dial-out that never joined
_State = TypeVar("_State", "Participant", "Conference")


def evolve(state: _State, **changes: Any) -> _State:
    """`dataclasses.replace` for the fold's own frozen states, without running `__init__` again:
    the fold makes several per callback, and replace's generic path was a third of the time
    a callback spends in the roster and its timelines."""
    kind = type(state)
    names = _FIELD_NAMES.get(kind) or _FIELD_NAMES.setdefault(
        kind, frozenset(f.name for f in fields(kind))
    )
    unknown = changes.keys() - names
    if unknown:
        raise TypeError(f"{type(state).__name__} has no field {sorted(unknown)[0]!r}")
    new = object.__new__(kind)
    new.__dict__.update(state.__dict__)
    new.__dict__.update(changes)
    return new


_FIELD_NAMES: dict[type, frozenset[str]] = {}


@dataclass(frozen=True)
class Participant:
    """One call in a conference, as the console shows it."""

    conference_sid: str
    call_sid: str
    label: str | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None
    present: bool = True
    muted: bool = False
    hold: bool = False
    speaking: bool = False
    coaching: bool = False
    call_sid_to_coach: str | None = None  # whom they coach (whisper to), when Twilio says
    start_conference_on_enter: bool = False
    end_conference_on_exit: bool = False
    call_status: str | None = None
    leave_reason: str | None = None
    # A dial-out Twilio lists as queued, connecting or ringing: shown, but not in the call
    # (not present, not counted) until its participant-join.
    ringing: bool = False
    # overlays: known to the console, not carried by callbacks
    pending: PendingAction | None = None
    number: str | None = None
    presenter: bool = False
    name: str | None = None  # the host's name for the caller's number (the address book)
    caller_name: str | None = None  # Twilio's CallerName lookup, as the voice route saw it
    # The order this call first reached the console in its conference ("Caller N"): kept for
    # the session so a name never shifts under the host's eyes; not part of the fold's state
    # (arrival order is not), so it takes no part in comparing two states.
    ordinal: int = field(default=0, compare=False)

    @property
    def moving(self) -> bool:
        """A move of their call (admit, deny, into or out of a room) awaits its confirmation."""
        return self.pending is not None and self.pending.kind in MOVES

    @property
    def display_name(self) -> str:
        """The one name (domain/names.py): address book, label, caller name, number, Caller N."""
        return display_name(
            name=self.name,
            label=self.label,
            caller_name=self.caller_name,
            number=self.number,
            ordinal=self.ordinal,
        )

    @property
    def person(self) -> str:
        """Who this call is, to count people: a rejoin under the same name is the same person;
        a caller known by nothing is their call alone."""
        known = self.name or self.label or self.caller_name or self.number
        return self.display_name if known else self.call_sid

    @property
    def add_failed(self) -> bool:
        """A dial-out that never joined (busy, no-answer, failed or canceled)."""
        return self.leave_reason == ADD_FAILED


class ConferenceStatus(str, Enum):
    """Twilio's conference statuses (a conference waiting for its first starter is `init`)."""

    INIT = "init"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"

    @classmethod
    def parse(cls, value: str | None) -> ConferenceStatus | None:
        """The status for Twilio's word; None for an empty or unknown one."""
        try:
            return cls(value) if value else None
        except ValueError:
            return None

    @property
    def live(self) -> bool:
        return self is not ConferenceStatus.COMPLETED


@dataclass(frozen=True)
class Conference:
    """One conference and its lifecycle."""

    sid: str
    friendly_name: str = ""
    status: ConferenceStatus = ConferenceStatus.INIT
    started_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    last_sequence: int = 0
    headcount: int = 0


def took_part(everyone: Iterable[Participant]) -> int:
    """How many people were in the call: each once (a rejoin is a new call with the same name),
    a dial-out that never answered not at all."""
    return len({p.person for p in everyone if not p.ringing and not p.add_failed})


@dataclass(frozen=True)
class PastConference:
    """An ended conference known by its summary; its callbacks are folded only when asked."""

    conference: Conference
    took_part: int
    present_or_ringing: int  # 0 (the rule): nobody to show, with no need to fold it to say so
