"""Dial-outs in the roster: ringing is shown, not present; status only moves forward."""

from __future__ import annotations

from datetime import timedelta

from moderator.domain.events import parse_callback
from moderator.domain.roster import Roster
from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot
from moderator.domain.state import ADD_FAILED
from tests.forms import CONFERENCE_SID, START, call_sid, form

DANA = call_sid("Dana")


def _snapshot(after: int, *people: tuple[str, str], complete: bool = False) -> ConferenceSnapshot:
    listed = tuple(ParticipantSnapshot(call_sid(n), label=n, status=s) for n, s in people)
    return ConferenceSnapshot(
        CONFERENCE_SID,
        START + timedelta(seconds=after),
        after,
        participants=listed,
        complete=complete,
    )


def _apply(roster: Roster, *forms: dict[str, str]) -> None:
    for fields in forms:
        roster.apply(parse_callback(fields, START))


def test_ringing_is_listed_not_present_and_not_counted() -> None:
    roster = Roster()
    _apply(roster, form("participant-join", 1, who="Mary"))
    roster.apply_snapshot(_snapshot(1, ("Dana", "ringing")))
    dana = roster.participant(CONFERENCE_SID, DANA)
    assert dana is not None and dana.ringing and not dana.present
    assert [p.label for p in roster.participants(CONFERENCE_SID, present_only=True)] == ["Mary"]
    conference = roster.conference(CONFERENCE_SID)
    assert conference is not None and conference.headcount == 1


def test_a_late_ringing_answer_never_undoes_the_join() -> None:
    roster = Roster()
    _apply(roster, form("participant-join", 1, who="Mary"), form("participant-join", 2, who="Dana"))
    roster.apply_snapshot(_snapshot(2, ("Dana", "queued")))  # the REST answer, slower than the join
    dana = roster.participant(CONFERENCE_SID, DANA)
    assert dana is not None and dana.present and not dana.ringing


def test_add_failed_leave_ends_the_ringing() -> None:
    roster = Roster()
    _apply(roster, form("participant-join", 1, who="Mary"))
    roster.apply_snapshot(_snapshot(1, ("Dana", "queued")))
    leave = form(
        "participant-leave",
        2,
        who="Dana",
        ParticipantCallStatus="no-answer",
        ReasonParticipantLeft=ADD_FAILED,
    )
    _apply(roster, leave)
    dana = roster.participant(CONFERENCE_SID, DANA)
    assert dana is not None
    assert (dana.present, dana.ringing, dana.call_status, dana.add_failed) == (
        False,
        False,
        "no-answer",
        True,
    )
    roster.apply_snapshot(_snapshot(2, ("Dana", "ringing")))  # stale: cannot ring again
    dana = roster.participant(CONFERENCE_SID, DANA)
    assert dana is not None and not dana.ringing


def test_a_full_listing_without_the_ringing_one_drops_it() -> None:
    roster = Roster()
    _apply(roster, form("participant-join", 1, who="Mary"))
    roster.apply_snapshot(_snapshot(1, ("Dana", "ringing")))
    roster.apply_snapshot(_snapshot(1, ("Mary", "connected"), complete=True))
    dana = roster.participant(CONFERENCE_SID, DANA)
    assert dana is not None and not dana.ringing and not dana.present
