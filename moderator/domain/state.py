"""What the console knows about a conference and each of its participants, at one moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from moderator.domain.actions import PendingAction


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
    start_conference_on_enter: bool = False
    end_conference_on_exit: bool = False
    call_status: str | None = None
    leave_reason: str | None = None
    # overlays: known to the console, not carried by callbacks
    pending: PendingAction | None = None
    number: str | None = None
    presenter: bool = False

    @property
    def display_name(self) -> str:
        """The label, else the caller's number, else the call SID."""
        return self.label or self.number or self.call_sid


@dataclass(frozen=True)
class Conference:
    """One conference and its lifecycle."""

    sid: str
    friendly_name: str = ""
    status: str = "init"  # Twilio's values: init, in-progress, completed
    started_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    last_sequence: int = 0
    headcount: int = 0
