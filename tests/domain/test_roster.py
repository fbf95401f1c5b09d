"""The roster state machine: TeamMeeting, pending actions, snapshots and convergence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.domain.actions import ActionKind, Target
from moderator.domain.events import ConferenceEvent
from moderator.domain.roster import ChangeKind, Roster
from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot
from moderator.domain.state import Conference, ConferenceStatus, PastConference
from tests.domain.histories import (
    NOW,
    Entries,
    Forms,
    events,
    histories,
    redelivered,
    replayed,
    roster_of,
    snapshots,
    with_snapshots,
)
from tests.forms import CONFERENCE_SID, call_sid, form, team_meeting
from tests.helpers.properties import examples


def state(roster: Roster) -> object:
    """Everything observable, for comparing two rosters (arrival order aside)."""
    return (
        sorted(roster.conferences(), key=lambda c: c.sid),
        {
            c.sid: sorted(roster.participants(c.sid), key=lambda p: p.call_sid)
            for c in roster.conferences()
        },
    )


def test_team_meeting() -> None:
    roster = roster_of(team_meeting())
    conference = roster.conference(CONFERENCE_SID)
    assert conference is not None
    assert conference.friendly_name == "TeamMeeting"
    assert conference.status == "in-progress"
    assert conference.headcount == 3
    present = {p.label: p for p in roster.participants(CONFERENCE_SID, present_only=True)}
    assert set(present) == {"Mary", "Alice", "Charles"}
    assert present["Alice"].muted and not present["Mary"].muted
    bob = roster.participant(CONFERENCE_SID, call_sid("Bob"))
    assert bob is not None and not bob.present and bob.leave_reason == "participant_hung_up"
    assert roster.presenter(CONFERENCE_SID) == call_sid("Mary")
    assert present["Mary"].presenter and not present["Alice"].presenter


def test_changes_name_what_happened() -> None:
    roster = Roster()
    seen: list[ChangeKind] = []
    roster.changed.connect(lambda changes: seen.extend(c.kind for c in changes))
    for event in events(team_meeting()):
        roster.apply(event)
    assert seen.count(ChangeKind.CONFERENCE_ADDED) == 1
    assert seen.count(ChangeKind.PARTICIPANT_JOINED) == 4
    assert seen.count(ChangeKind.PARTICIPANT_LEFT) == 1
    assert ChangeKind.PARTICIPANT_UPDATED in seen


def test_duplicate_changes_nothing() -> None:
    roster = roster_of(team_meeting())
    before = state(roster)
    assert roster.apply(events(team_meeting())[5]) == []
    assert state(roster) == before


def test_leave_before_older_mute_keeps_participant_gone() -> None:
    forms = team_meeting()
    leave = form("participant-leave", 9, who="Charles", muted=True)
    older_mute = form("participant-mute", 8, who="Charles", muted=True)
    roster = roster_of([*forms, leave, older_mute])
    charles = roster.participant(CONFERENCE_SID, call_sid("Charles"))
    assert charles is not None and not charles.present and charles.muted


def test_gap_in_sequence_is_reported() -> None:
    roster = roster_of(team_meeting())
    changes = roster.apply(events([form("participant-mute", 12, who="Mary", muted=True)])[0])
    assert ChangeKind.SEQUENCE_GAP in [c.kind for c in changes]


def test_pending_mute_confirmed_by_callback() -> None:
    roster = roster_of(team_meeting())
    charles = call_sid("Charles")
    roster.mark_pending(CONFERENCE_SID, charles, ActionKind.MUTE, NOW)
    shown = roster.participant(CONFERENCE_SID, charles)
    assert shown is not None and shown.pending is not None and not shown.muted
    changes = roster.apply(events([form("participant-mute", 8, who="Charles", muted=True)])[0])
    assert any(
        c.kind is ChangeKind.ACTION_CONFIRMED and c.action is ActionKind.MUTE for c in changes
    )
    shown = roster.participant(CONFERENCE_SID, charles)
    assert shown is not None and shown.pending is None and shown.muted


def test_stale_duplicate_does_not_confirm_pending() -> None:
    roster = roster_of(team_meeting())
    alice = call_sid("Alice")
    roster.mark_pending(CONFERENCE_SID, alice, ActionKind.MUTE, NOW)
    # Alice's old mute (sequence 6) re-delivered after the action was sent
    roster.apply(events([form("participant-mute", 6, who="Alice", muted=True)])[0])
    shown = roster.participant(CONFERENCE_SID, alice)
    assert shown is not None and shown.pending is not None


def test_rollback_clears_pending() -> None:
    roster = roster_of(team_meeting())
    mary = call_sid("Mary")
    roster.mark_pending(CONFERENCE_SID, mary, ActionKind.HOLD, NOW)
    assert roster.clear_pending(CONFERENCE_SID, mary, ActionKind.MUTE) == []  # not that one
    changes = roster.clear_pending(CONFERENCE_SID, mary, ActionKind.HOLD)
    assert [c.kind for c in changes] == [ChangeKind.PARTICIPANT_UPDATED]
    shown = roster.participant(CONFERENCE_SID, mary)
    assert shown is not None and shown.pending is None and not shown.hold


def test_a_conference_keeps_one_mark_per_kind() -> None:
    """The recording's stop stays pending (the REC badge) while the host's end is in flight."""
    roster = roster_of(team_meeting())
    conference = Target.conference(CONFERENCE_SID)
    roster.mark(conference, ActionKind.RECORDING_STOP, NOW, token=1)
    roster.mark(conference, ActionKind.END_CONFERENCE, NOW, token=2)
    stop = roster.pending_on(conference, ActionKind.RECORDING_STOP)
    assert stop is not None and stop.token == 1
    newest = roster.pending_on(conference)
    assert newest is not None and newest.kind is ActionKind.END_CONFERENCE
    roster.mark(conference, ActionKind.END_CONFERENCE, NOW, token=3)  # a newer end replaces it
    roster.unmark(conference, token=2)  # the older end's rollback leaves the newer one
    assert roster.pending_on(conference, ActionKind.END_CONFERENCE).token == 3  # type: ignore[union-attr]
    roster.unmark(conference, token=3)
    assert roster.pending_on(conference, ActionKind.END_CONFERENCE) is None
    assert roster.pending_on(conference) == stop
    roster.unmark(conference, token=1)
    assert roster.pending_on(conference) is None


def test_a_call_is_found_where_it_was_seen_last_without_folding_the_past() -> None:
    """Alice left the meeting for room 1 (another conference): she is found in the room, as
    present; Bob, who left, is found only when absence is allowed; a past conference known by
    its summary is not folded to look (its loader is never called)."""
    asked: list[str] = []

    def load_past(sid: str) -> list[ConferenceEvent]:
        asked.append(sid)
        return []

    roster = Roster(load_past=load_past)
    past = Conference(
        sid="CF" + "9" * 32, friendly_name="TeamMeeting", status=ConferenceStatus.COMPLETED
    )
    roster.add_past(PastConference(past, took_part=4, present_or_ringing=0))
    for event in events(team_meeting()):
        roster.apply(event)
    room = "CF" + "7" * 32
    roster.apply(*events([form("participant-leave", 8, who="Alice")]))
    roster.apply(
        *events(
            [
                form(
                    "participant-join",
                    1,
                    who="Alice",
                    conference_sid=room,
                    friendly_name="TeamMeeting-room-1",
                )
            ]
        )
    )
    alice = roster.find_call(call_sid("Alice"), present_only=True)
    assert alice is not None and alice.conference_sid == room
    assert roster.find_call(call_sid("Bob"), present_only=True) is None
    bob = roster.find_call(call_sid("Bob"))
    assert bob is not None and not bob.present
    assert roster.find_call(call_sid("Nobody")) is None
    assert asked == [] and not roster.is_folded(past.sid)


def test_host_can_choose_presenter() -> None:
    roster = roster_of(team_meeting())
    roster.choose_presenter(CONFERENCE_SID, call_sid("Alice"))
    assert roster.presenter(CONFERENCE_SID) == call_sid("Alice")
    mary = roster.participant(CONFERENCE_SID, call_sid("Mary"))
    assert mary is not None and not mary.presenter


def test_number_overlay_shows_when_no_label() -> None:
    roster = roster_of([form("participant-join", 1, who="X", ParticipantLabel="")])
    roster.set_number(CONFERENCE_SID, call_sid("X"), "+15550100")
    shown = roster.participant(CONFERENCE_SID, call_sid("X"))
    assert shown is not None and shown.display_name == "+15550100"


def test_on_hold_is_never_speaking() -> None:
    roster = roster_of(
        [
            *team_meeting(),
            form("participant-speech-start", 8, who="Charles"),
            form("participant-hold", 9, who="Charles", hold=True),
            form("participant-speech-start", 10, who="Charles", hold=True),
        ]
    )
    charles = roster.participant(CONFERENCE_SID, call_sid("Charles"))
    assert charles is not None and charles.hold and not charles.speaking


def test_conference_end_marks_everyone_left() -> None:
    roster = roster_of([*team_meeting(), form("conference-end", 8, ReasonConferenceEnded="x")])
    assert roster.participants(CONFERENCE_SID, present_only=True) == []
    conference = roster.conference(CONFERENCE_SID)
    assert conference is not None and conference.status == "completed" and conference.headcount == 0


def test_snapshot_marks_absent_participants_left_and_wins_over_older_state() -> None:
    roster = roster_of(team_meeting())
    snapshot = ConferenceSnapshot(
        conference_sid=CONFERENCE_SID,
        taken_at=NOW,
        after_sequence=roster.last_sequence(CONFERENCE_SID),
        status="in-progress",
        participants=(
            ParticipantSnapshot(call_sid("Mary"), "Mary", muted=True, end_conference_on_exit=True),
            ParticipantSnapshot(call_sid("Dave"), "Dave"),
        ),
    )
    roster.apply_snapshot(snapshot)
    present = {p.label: p for p in roster.participants(CONFERENCE_SID, present_only=True)}
    assert set(present) == {"Mary", "Dave"}
    assert present["Mary"].muted
    # a late callback older than the snapshot does not undo it ...
    roster.apply(events([form("participant-unmute", 7, who="Mary")])[0])
    mary = roster.participant(CONFERENCE_SID, call_sid("Mary"))
    assert mary is not None and mary.muted
    # ... a newer one does
    roster.apply(events([form("participant-unmute", 8, who="Mary")])[0])
    mary = roster.participant(CONFERENCE_SID, call_sid("Mary"))
    assert mary is not None and not mary.muted


# ---- convergence properties -----------------------------------------------------------------


@settings(max_examples=examples(300), deadline=None)
@given(redelivered())
def test_any_order_with_duplicates_converges(delivery: tuple[Forms, Forms]) -> None:
    history, delivered = delivery
    assert state(roster_of(delivered)) == state(roster_of(history))


@settings(max_examples=examples(200), deadline=None)
@given(history=histories(), data=st.data())
def test_changes_replay_to_the_same_view(history: Forms, data: st.DataObject) -> None:
    """A listener that follows changes (like the UI model) ends with what the roster shows."""
    roster = Roster()
    shown: dict[tuple[str, str], bool] = {}

    def follow(changes: list) -> None:
        for change in changes:
            if change.call_sid is None:
                continue
            participant = roster.participant(change.conference_sid, change.call_sid)
            assert participant is not None
            shown[(change.conference_sid, change.call_sid)] = participant.present

    roster.changed.connect(follow)
    for event in events(list(data.draw(st.permutations(history)))):
        roster.apply(event)
    expected = {
        (c.sid, p.call_sid): p.present
        for c in roster.conferences()
        for p in roster.participants(c.sid)
    }
    assert shown == expected


@settings(max_examples=examples(200), deadline=None)
@given(with_snapshots())
def test_callbacks_and_snapshots_in_any_order_converge(mix: tuple[Entries, Entries]) -> None:
    """Reconcile snapshots are placed by their sequence position, so arrival order is moot."""
    in_order, shuffled = mix
    assert state(replayed(shuffled)) == state(replayed(in_order))


def test_a_late_answer_about_one_participant_refolds_only_them() -> None:
    """A REST answer about one person (a partial snapshot, no status) that arrives after newer
    callbacks is folded like a late callback of theirs: at a click during a 250-person burst,
    refolding everyone's state and talk time stalled the window for over a second."""
    people = [f"P{n}" for n in range(20)]
    history = [form("participant-join", n + 1, who=who) for n, who in enumerate(people)]
    history += [form("participant-speech-start", 30 + n, who=who) for n, who in enumerate(people)]
    roster = roster_of(history)
    refolds = roster.timelines.refolds
    answer = ConferenceSnapshot(
        conference_sid=CONFERENCE_SID,
        taken_at=NOW,
        after_sequence=25,  # older than everyone's speech-start
        participants=(ParticipantSnapshot(call_sid("P5"), "P5", muted=True),),
        complete=False,
    )
    roster.apply_snapshot(answer)
    assert roster.timelines.refolds == refolds + 1  # P5's talk time, no one else's
    in_order = Roster()
    in_order.replay(sorted([*events(history), answer], key=lambda e: getattr(e, "sequence", 25.5)))
    assert state(roster) == state(in_order)
    p5 = roster.participant(CONFERENCE_SID, call_sid("P5"))
    assert p5 is not None and p5.speaking and not p5.muted  # the newer speech-start said so


# ---- the presenter, looked for again only when it may have changed ---------------------------

_STARTERS = st.sampled_from(["Mary", "Alice", "Bob", "Charles", "Dave"])


@st.composite
def presenter_steps(draw: st.DrawFn) -> list[tuple[str, object]]:
    """Callbacks (any order, repeats) whose people start or end the conference or not, the
    host's choice of presenter, and reconcile snapshots, interleaved."""
    length = draw(st.integers(min_value=1, max_value=40))
    forms = []
    for sequence in range(1, length + 1):
        kind = draw(
            st.sampled_from(
                [
                    "participant-join",
                    "participant-leave",
                    "participant-mute",
                    "participant-hold",
                    "participant-modify",
                    "conference-end",
                ]
            )
        )
        who = draw(_STARTERS) if kind.startswith("participant") else None
        forms.append(
            form(
                kind,
                sequence,
                who=who,
                start_on_enter=draw(st.booleans()),
                end_on_exit=draw(st.booleans()),
            )
        )
    steps: list[tuple[str, object]] = [("callback", f) for f in forms]
    steps += [("callback", f) for f in draw(st.lists(st.sampled_from(forms), max_size=5))]
    steps += [
        ("choose", draw(st.one_of(st.none(), _STARTERS.map(call_sid))))
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    steps += [("snapshot", s) for s in draw(st.lists(snapshots(CONFERENCE_SID), max_size=2))]
    return list(draw(st.permutations(steps)))


@settings(max_examples=examples(300), deadline=None)
@given(presenter_steps())
def test_the_shown_presenter_is_always_the_one_the_participants_give(
    steps: list[tuple[str, object]],
) -> None:
    """After every step the tiles mark exactly the presenter the participants' roles give
    (Roster.presenter reads them all), though a callback looks for it again only when its
    participant's roles changed."""
    roster = Roster()
    for what, value in steps:
        if what == "callback":
            assert isinstance(value, dict)
            roster.apply(events([value])[0])
        elif what == "snapshot":
            assert isinstance(value, ConferenceSnapshot)
            roster.apply_snapshot(value)
        else:
            assert value is None or isinstance(value, str)
            roster.choose_presenter(CONFERENCE_SID, value)
        marked = [p.call_sid for p in roster.participants(CONFERENCE_SID) if p.presenter]
        expected = roster.presenter(CONFERENCE_SID)
        assert marked == ([expected] if expected else [])
