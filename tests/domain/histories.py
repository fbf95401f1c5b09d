"""Callback histories for the roster's property tests, and the roster a history builds.

Twilio delivers at least once and in any order; the strategies here draw a history, then
what Twilio may make of it (repeats, shuffles, reconcile snapshots in between).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

from moderator.domain.events import ConferenceEvent, parse_callback
from moderator.domain.roster import Roster
from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot
from tests.forms import call_sid, form

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
PEOPLE = ["Mary", "Alice", "Bob", "Charles", "Dave"]
PARTICIPANT_EVENTS = [
    "participant-join",
    "participant-leave",
    "participant-mute",
    "participant-unmute",
    "participant-hold",
    "participant-unhold",
    "participant-speech-start",
    "participant-speech-stop",
    "participant-modify",
]
Forms = list[dict[str, str]]
Entries = list[ConferenceEvent | ConferenceSnapshot]


def events(forms: Forms) -> list[ConferenceEvent]:
    return [parse_callback(f, NOW) for f in forms]


def roster_of(forms: Forms) -> Roster:
    roster = Roster()
    for event in events(forms):
        roster.apply(event)
    return roster


def replayed(entries: Entries) -> Roster:
    """A roster that read `entries` (callbacks and snapshots) in the order given."""
    roster = Roster()
    roster.replay(entries)
    return roster


@st.composite
def histories(draw: st.DrawFn) -> Forms:
    """A plausible callback history across two conferences, numbered per conference."""
    forms: Forms = []
    for conference in ("CF" + "a" * 32, "CF" + "b" * 32):
        length = draw(st.integers(min_value=1, max_value=30))
        for sequence in range(1, length + 1):
            kind = draw(
                st.sampled_from([*PARTICIPANT_EVENTS, "conference-start", "conference-end"])
            )
            who = draw(st.sampled_from(PEOPLE)) if kind.startswith("participant") else None
            forms.append(
                form(
                    kind,
                    sequence,
                    who=who,
                    conference_sid=conference,
                    muted=kind == "participant-mute",
                    hold=kind == "participant-hold",
                    end_on_exit=who == "Mary",
                )
            )
    return forms


@st.composite
def redelivered(draw: st.DrawFn) -> tuple[Forms, Forms]:
    """A history, and the same callbacks as Twilio may deliver them: some again, in any order."""
    history = draw(histories())
    duplicated = history + draw(st.lists(st.sampled_from(history), max_size=15))
    return history, list(draw(st.permutations(duplicated)))


@st.composite
def snapshots(draw: st.DrawFn, conference_sid: str) -> ConferenceSnapshot:
    listed = draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=4))
    return ConferenceSnapshot(
        conference_sid=conference_sid,
        taken_at=NOW + timedelta(seconds=draw(st.integers(min_value=0, max_value=10**6))),
        after_sequence=draw(st.integers(min_value=0, max_value=30)),
        status=draw(st.sampled_from(["in-progress", "completed", ""])),
        participants=tuple(
            ParticipantSnapshot(call_sid(who), who, muted=draw(st.booleans())) for who in listed
        ),
        complete=draw(st.booleans()),
    )


@st.composite
def with_snapshots(draw: st.DrawFn) -> tuple[Entries, Entries]:
    """A history's callbacks with up to three reconcile snapshots, and the same in any order."""
    entries: Entries = [*events(draw(histories()))]
    # Two snapshots taken at the same instant and position have no order: keep them distinct.
    entries += draw(
        st.lists(snapshots("CF" + "a" * 32), max_size=3, unique_by=lambda snap: snap.taken_at)
    )
    return entries, list(draw(st.permutations(entries)))
