"""The fold: how one callback or REST snapshot changes a conference and its participants.

Pure functions; the Roster decides what to fold in which order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from moderator.domain.events import ConferenceEvent, EventKind
from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot
from moderator.domain.state import Conference, ConferenceStatus, Participant, evolve

Entry = ConferenceEvent | ConferenceSnapshot


def participant_of(entry: Entry) -> str | None:
    """The call SID a participant callback is about; None for everything else."""
    if isinstance(entry, ConferenceEvent) and entry.kind.is_participant_event:
        return entry.call_sid
    return None


def listed_only(entry: Entry) -> tuple[str, ...] | None:
    """The call SIDs of a snapshot that speaks only for the participants it lists (a partial
    listing without the conference's status or name: a REST answer about one person), else
    None. Such a snapshot folds like callbacks about those participants: it changes nobody
    else and not the conference, so a late one need not refold everyone."""
    if (
        isinstance(entry, ConferenceSnapshot)
        and not entry.complete
        and not entry.status
        and not entry.friendly_name
    ):
        return tuple(dict.fromkeys(p.call_sid for p in entry.participants))
    return None


def touches_everyone(entry: Entry) -> bool:
    if isinstance(entry, ConferenceSnapshot):
        return listed_only(entry) is None
    return entry.kind is EventKind.CONFERENCE_END


def fold_participant(
    entries: Iterable[Entry], call_sid: str, start: Participant | None = None
) -> Participant:
    """One participant's state from its own callbacks and the entries that touch everyone,
    given in sequence order, from `start` (the state before the first of them)."""
    participant = start
    for entry in entries:
        if isinstance(entry, ConferenceSnapshot):
            participant = snapshot_participant(participant, call_sid, entry)
        elif entry.kind is EventKind.CONFERENCE_END:
            participant = participant and end_participant(participant, entry)
        else:
            participant = step_participant(participant, entry)
    assert participant is not None  # the entries hold at least one callback about them
    return participant


def step(conference: Conference, base: dict[str, Participant], entry: Entry) -> Conference:
    """Apply one callback or snapshot to `conference` and `base` (mutated in place)."""
    if isinstance(entry, ConferenceSnapshot):
        return step_snapshot(conference, base, entry)
    event = entry
    conference = step_conference(conference, event)
    if event.kind is EventKind.CONFERENCE_START:
        return replace(
            conference,
            status=ConferenceStatus.IN_PROGRESS if conference.status.live else conference.status,
            started_at=conference.started_at or event.timestamp,
        )
    if event.kind is EventKind.CONFERENCE_END:
        for sid, participant in base.items():
            base[sid] = end_participant(participant, event)
        return replace(
            conference,
            status=ConferenceStatus.COMPLETED,
            ended_at=event.timestamp,
            end_reason=event.reason,
        )
    if event.call_sid is None or not event.kind.is_participant_event:
        return conference  # announcements and unknown events change no state
    base[event.call_sid] = step_participant(base.get(event.call_sid), event)
    return conference


def step_participant(current: Participant | None, event: ConferenceEvent) -> Participant:
    assert event.call_sid is not None
    participant = current or Participant(
        conference_sid=event.conference_sid,
        call_sid=event.call_sid,
        present=event.kind is not EventKind.PARTICIPANT_LEAVE,
    )
    flags: dict[str, Any] = {
        name: value
        for name, value in (
            ("muted", event.muted),
            ("hold", event.hold),
            ("coaching", event.coaching),
            ("start_conference_on_enter", event.start_conference_on_enter),
            ("end_conference_on_exit", event.end_conference_on_exit),
        )
        if value is not None
    }
    if event.label:
        flags["label"] = event.label
    # whom they coach, when the callback says (else what was known stays); not coaching: nobody
    if event.coaching is False:
        flags["call_sid_to_coach"] = None
    elif event.coaching and event.call_sid_to_coach:
        flags["call_sid_to_coach"] = event.call_sid_to_coach
    kind = event.kind
    if kind is EventKind.PARTICIPANT_JOIN:
        flags.update(
            present=True, ringing=False, joined_at=event.timestamp, left_at=None, leave_reason=None
        )
    elif kind is EventKind.PARTICIPANT_LEAVE:
        flags.update(
            present=False,
            ringing=False,
            speaking=False,
            left_at=event.timestamp,
            call_status=event.call_status,
            leave_reason=event.reason,
        )
    elif kind in (EventKind.PARTICIPANT_MUTE, EventKind.PARTICIPANT_UNMUTE):
        flags["muted"] = kind is EventKind.PARTICIPANT_MUTE
    elif kind in (EventKind.PARTICIPANT_HOLD, EventKind.PARTICIPANT_UNHOLD):
        flags["hold"] = kind is EventKind.PARTICIPANT_HOLD
    elif kind in (EventKind.SPEECH_START, EventKind.SPEECH_STOP):
        flags["speaking"] = kind is EventKind.SPEECH_START and participant.present
    if flags.get("hold", participant.hold):
        flags["speaking"] = False  # on hold means out of the mix: nobody hears them speak
    return evolve(participant, **flags)


def step_conference(conference: Conference, event: ConferenceEvent) -> Conference:
    """What every callback says about its conference: its name and how far the sequence got."""
    name = event.friendly_name or conference.friendly_name
    sequence = max(conference.last_sequence, event.sequence)
    if name == conference.friendly_name and sequence == conference.last_sequence:
        return conference
    return evolve(conference, friendly_name=name, last_sequence=sequence)


def end_participant(participant: Participant, end: ConferenceEvent) -> Participant:
    """conference-end: whoever is still in has left; a dial-out still ringing is dropped."""
    if participant.ringing:
        return replace(participant, ringing=False, left_at=end.timestamp)
    if not participant.present:
        return participant
    return replace(
        participant,
        present=False,
        speaking=False,
        left_at=end.timestamp,
        leave_reason=participant.leave_reason or "conference-ended",
    )


def snapshot_participant(
    current: Participant | None, call_sid: str, snapshot: ConferenceSnapshot
) -> Participant | None:
    """What a REST snapshot says about one participant (None: never seen, not listed)."""
    reported = next((p for p in snapshot.participants if p.call_sid == call_sid), None)
    if reported is not None and reported.ringing:
        return _ringing_participant(current, call_sid, reported, snapshot)
    if reported is not None and snapshot.status != ConferenceStatus.COMPLETED:
        base = current or Participant(conference_sid=snapshot.conference_sid, call_sid=call_sid)
        return _as_listed(
            base,
            reported,
            present=True,
            ringing=False,
            left_at=None,
            coaching=reported.coaching,
            call_sid_to_coach=reported.call_sid_to_coach if reported.coaching else None,
            joined_at=base.joined_at or reported.joined_at,
        )
    if current is not None and current.ringing and (snapshot.complete or snapshot.status):
        return replace(current, ringing=False)  # no longer dialled: it never joined
    if current is None or not current.present:
        return current
    if snapshot.status == ConferenceStatus.COMPLETED:
        return replace(current, present=False, speaking=False, left_at=snapshot.taken_at)
    if snapshot.complete:
        return replace(
            current,
            present=False,
            speaking=False,
            left_at=snapshot.taken_at,
            leave_reason="left-while-console-closed",
        )
    return current


def _ringing_participant(
    current: Participant | None,
    call_sid: str,
    reported: ParticipantSnapshot,
    snapshot: ConferenceSnapshot,
) -> Participant | None:
    """A dial-out Twilio still rings. Status only moves forward: someone who has joined or
    left is never put back to ringing by an older or slower answer."""
    if snapshot.status == ConferenceStatus.COMPLETED:
        return current
    if current is not None and (current.present or current.left_at or not current.ringing):
        return current
    base = current or Participant(conference_sid=snapshot.conference_sid, call_sid=call_sid)
    return _as_listed(base, reported, present=False, ringing=True)


def _as_listed(base: Participant, reported: ParticipantSnapshot, **changes: Any) -> Participant:
    """`base` with what Twilio's Participants list says of it (its label, when it gives one),
    and `changes`."""
    return replace(
        base,
        label=reported.label or base.label,
        muted=reported.muted,
        hold=reported.hold,
        start_conference_on_enter=reported.start_conference_on_enter,
        end_conference_on_exit=reported.end_conference_on_exit,
        **changes,
    )


def step_snapshot(
    conference: Conference, base: dict[str, Participant], snapshot: ConferenceSnapshot
) -> Conference:
    for call_sid in [*base, *(p.call_sid for p in snapshot.participants if p.call_sid not in base)]:
        updated = snapshot_participant(base.get(call_sid), call_sid, snapshot)
        if updated is not None:
            base[call_sid] = updated
    friendly_name = snapshot.friendly_name or conference.friendly_name
    reported = ConferenceStatus.parse(snapshot.status)
    if reported is ConferenceStatus.COMPLETED:
        ended_at = conference.ended_at or snapshot.taken_at
        return replace(
            conference,
            status=ConferenceStatus.COMPLETED,
            ended_at=ended_at,
            friendly_name=friendly_name,
        )
    status = reported or conference.status
    if not conference.status.live:
        status = ConferenceStatus.COMPLETED
    return replace(conference, status=status, friendly_name=friendly_name)
