"""Build the domain's REST snapshots from twilio SDK resources (conference, participant)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from moderator.domain.snapshots import GONE, ConferenceSnapshot, ParticipantSnapshot


def participant_snapshot(resource: Any) -> ParticipantSnapshot:
    """A ParticipantSnapshot from an SDK ParticipantInstance."""
    joined = getattr(resource, "date_created", None)
    return ParticipantSnapshot(
        call_sid=str(resource.call_sid),
        label=resource.label or None,
        muted=bool(resource.muted),
        hold=bool(resource.hold),
        coaching=bool(resource.coaching),
        call_sid_to_coach=getattr(resource, "call_sid_to_coach", None) or None,
        start_conference_on_enter=bool(resource.start_conference_on_enter),
        end_conference_on_exit=bool(resource.end_conference_on_exit),
        joined_at=joined if isinstance(joined, datetime) else None,
        status=str(getattr(resource, "status", None) or "connected"),
    )


def conference_snapshot(
    conference_sid: str,
    taken_at: datetime,
    after_sequence: int,
    *,
    friendly_name: str = "",
    status: str = "",
    participants: Iterable[Any] = (),
    complete: bool = True,
) -> ConferenceSnapshot:
    """A ConferenceSnapshot. Participants Twilio still rings are kept as ringing (shown, not
    present); complete or failed ones are left out, so they never count as present."""
    listed = tuple(
        participant_snapshot(p) for p in participants if getattr(p, "status", None) not in GONE
    )
    return ConferenceSnapshot(
        conference_sid=conference_sid,
        taken_at=taken_at,
        after_sequence=after_sequence,
        friendly_name=friendly_name or "",
        status=status or "",
        participants=listed,
        complete=complete,
    )
