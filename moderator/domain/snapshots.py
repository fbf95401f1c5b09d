"""What Twilio's REST API reports about a live conference, used to reconcile the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Participant statuses (Participants resource): queued, connecting, ringing, connected, complete,
# failed. Only `connected` is in the call; complete and failed are gone.
NOT_YET_IN = frozenset({"queued", "connecting", "ringing"})
GONE = frozenset({"complete", "failed"})


@dataclass(frozen=True)
class ParticipantSnapshot:
    """One participant as the Participants resource lists it."""

    call_sid: str
    label: str | None = None
    muted: bool = False
    hold: bool = False
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = False
    end_conference_on_exit: bool = False
    joined_at: datetime | None = None
    status: str = "connected"  # Twilio's participant status

    @property
    def ringing(self) -> bool:
        """Still being dialled: listed by Twilio, but not in the call."""
        return self.status in NOT_YET_IN


@dataclass(frozen=True)
class ConferenceSnapshot:
    """A conference as REST reported it at `taken_at`.

    `after_sequence` is the last SequenceNumber the roster had seen when the snapshot was taken:
    callbacks numbered above it are newer than the snapshot, the rest are older.
    `complete` means `participants` is everyone present (a full listing), so anyone else has left.
    """

    conference_sid: str
    taken_at: datetime
    after_sequence: int
    friendly_name: str = ""
    status: str = ""
    participants: tuple[ParticipantSnapshot, ...] = ()
    complete: bool = True
