"""Moderation rules as pure decisions: who auto-mute and mute-on-entry silence, and when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from moderator.domain.actions import ActionKind
from moderator.domain.roster import Conference, Participant
from moderator.domain.state import ConferenceStatus


@dataclass(frozen=True)
class RuleSettings:
    """The rules a host can switch on; both are off by default."""

    auto_mute_enabled: bool = False
    auto_mute_delay: float = 30.0  # seconds after conference-start
    mute_on_entry: bool = False  # mute participants who join once the conference has started


def intends_muted(participant: Participant) -> bool:
    """Whether the participant is muted once what the host asked is done: a pending mute or
    unmute counts as done. What a toggle, the tile menu and the rules decide on; the tile itself
    draws the confirmed state (with the pending mark)."""
    pending = participant.pending
    if pending is not None and pending.kind in (ActionKind.MUTE, ActionKind.UNMUTE):
        return pending.kind is ActionKind.MUTE
    return participant.muted


def intends_hold(participant: Participant) -> bool:
    """Whether the participant is on hold once what the host asked is done (a pending hold or
    unhold counts as done); the tile draws the confirmed state."""
    pending = participant.pending
    if pending is not None and pending.kind in (ActionKind.HOLD, ActionKind.UNHOLD):
        return pending.kind is ActionKind.HOLD
    return participant.hold


def mute_targets(
    participants: Iterable[Participant], presenter: str | None, *, except_presenter: bool = True
) -> list[Participant]:
    """Present participants not already muted, without the presenter when asked."""
    return [
        p
        for p in participants
        if p.present
        and not intends_muted(p)
        and not (except_presenter and presenter is not None and p.call_sid == presenter)
    ]


def unmute_targets(participants: Iterable[Participant]) -> list[Participant]:
    """Present participants who are muted (or about to be)."""
    return [p for p in participants if p.present and intends_muted(p)]


def auto_mute_wait(started_at: datetime | None, now: datetime, delay: float) -> float | None:
    """Seconds until auto-mute is due for a conference that started at `started_at`.

    None when the moment has already passed (the console was closed then: muting everyone
    again long after the fact would surprise the host) or the start time is unknown.
    """
    if started_at is None:
        return None
    remaining = delay - (now - started_at).total_seconds()
    return remaining if remaining > 0 else None


def mutes_on_entry(
    rules: RuleSettings, conference: Conference | None, joiner: Participant, presenter: str | None
) -> bool:
    """True when `joiner`, who just joined, is a late joiner to mute on entry."""
    return (
        rules.mute_on_entry
        and conference is not None
        and conference.status is ConferenceStatus.IN_PROGRESS
        and joiner.present
        and not intends_muted(joiner)
        and joiner.call_sid != presenter
        and not joiner.end_conference_on_exit  # whoever can end the call is the host's side
    )
