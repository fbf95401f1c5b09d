"""Spans and talk time: what each callback opens and closes, and convergence in any order."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.domain.roster import Roster
from moderator.domain.timeline import ConferenceTimeline, Track
from tests.domain.histories import (
    Entries,
    Forms,
    histories,
    redelivered,
    replayed,
    roster_of,
    with_snapshots,
)
from tests.forms import CONFERENCE_SID, START, call_sid, form, team_meeting
from tests.helpers.properties import examples


def timeline(forms: list[dict[str, str]]) -> ConferenceTimeline:
    made = roster_of(forms).timelines.conference(CONFERENCE_SID)
    assert made is not None
    return made


def seconds(t: ConferenceTimeline, who: str, track: Track) -> float:
    (person,) = [p for p in t.participants if p.call_sid == call_sid(who)]
    until = t.until()
    assert until is not None
    return person.seconds(track, until)


def test_speech_span_is_talk_time() -> None:
    t = timeline(
        [
            *team_meeting(),  # sequence n happens at START + n seconds
            form("participant-speech-start", 8, who="Mary"),
            form("participant-speech-stop", 12, who="Mary"),
            form("participant-speech-start", 15, who="Mary"),
            form("participant-speech-stop", 16, who="Mary"),
            form("conference-end", 20),
        ]
    )
    assert seconds(t, "Mary", Track.SPEAKING) == 5
    assert seconds(t, "Mary", Track.PRESENT) == 19  # joined at 1, conference ended at 20
    assert seconds(t, "Alice", Track.MUTED) == 14  # muted at 6 until the end
    assert seconds(t, "Bob", Track.PRESENT) == 3  # 4 to 7
    assert t.duration_seconds() == 17  # conference-start at 3, end at 20
    assert t.peak_participants() == 4


def test_open_speech_ends_at_leave_hold_and_conference_end() -> None:
    t = timeline(
        [
            *team_meeting(),
            form("participant-speech-start", 8, who="Mary"),
            form("participant-speech-start", 9, who="Charles"),
            form("participant-hold", 11, who="Charles", hold=True),
            form("participant-speech-start", 12, who="Alice", muted=True),
            form("participant-leave", 14, who="Alice", muted=True),
            form("conference-end", 18),
        ]
    )
    assert seconds(t, "Charles", Track.SPEAKING) == 2
    assert seconds(t, "Charles", Track.HOLD) == 7
    assert seconds(t, "Alice", Track.SPEAKING) == 2
    assert seconds(t, "Mary", Track.SPEAKING) == 10
    for person in t.participants:
        for spans in person.spans.values():
            assert all(span.end is not None for span in spans)


def test_live_span_is_measured_to_now() -> None:
    roster = roster_of([*team_meeting(), form("participant-speech-start", 8, who="Mary")])
    now = START + timedelta(seconds=20)
    talk = roster.timelines.seconds(CONFERENCE_SID, call_sid("Mary"), Track.SPEAKING, now)
    assert talk == 12
    assert roster.timelines.talk_total(CONFERENCE_SID, now) == 12
    assert roster.timelines.speaking_since(CONFERENCE_SID) == {
        call_sid("Mary"): START + timedelta(seconds=8)
    }
    t = roster.timelines.conference(CONFERENCE_SID)
    assert t is not None and t.ended_at is None and t.duration_seconds(now) == 17


def test_leave_and_join_at_the_same_moment_do_not_overlap() -> None:
    forms = [
        form("participant-join", 1, who="Mary"),
        form("participant-join", 2, who="Bob"),
        form("participant-leave", 3, who="Bob", Timestamp=form("x", 3)["Timestamp"]),
        form("participant-join", 4, who="Alice", Timestamp=form("x", 3)["Timestamp"]),
    ]
    assert timeline(forms).peak_participants() == 2


def test_rows_follow_first_arrival() -> None:
    names = [p.name for p in timeline(team_meeting()).participants]
    assert names == ["Mary", "Alice", "Bob", "Charles"]


def test_spans_agree_with_the_roster() -> None:
    roster = roster_of([*team_meeting(), form("participant-speech-start", 8, who="Mary")])
    t = roster.timelines.conference(CONFERENCE_SID)
    assert t is not None
    for person in t.participants:
        shown = roster.participant(CONFERENCE_SID, person.call_sid)
        assert shown is not None
        for track, flag in (
            (Track.PRESENT, shown.present),
            (Track.MUTED, shown.present and shown.muted),
            (Track.SPEAKING, shown.speaking),
        ):
            spans = person.spans[track]
            assert bool(spans and spans[-1].end is None) == flag, (person.name, track)


# ---- convergence ----------------------------------------------------------------------------


def everything(roster: Roster) -> object:
    return {c.sid: roster.timelines.conference(c.sid) for c in roster.conferences()}


@settings(max_examples=examples(300), deadline=None)
@given(redelivered())
def test_any_order_with_duplicates_gives_the_same_spans(delivery: tuple[Forms, Forms]) -> None:
    history, delivered = delivery
    assert everything(roster_of(delivered)) == everything(roster_of(history))


@settings(max_examples=examples(200), deadline=None)
@given(with_snapshots())
def test_callbacks_and_snapshots_in_any_order_give_the_same_spans(
    mix: tuple[Entries, Entries],
) -> None:
    in_order, shuffled = mix
    assert everything(replayed(shuffled)) == everything(replayed(in_order))


@settings(max_examples=examples(200), deadline=None)
@given(history=histories(), data=st.data())
def test_totals_match_the_spans_and_never_exceed_presence(
    history: list[dict[str, str]], data: st.DataObject
) -> None:
    roster = roster_of(list(data.draw(st.permutations(history))))
    for conference in roster.conferences():
        t = roster.timelines.conference(conference.sid)
        assert t is not None
        until = t.until()
        assert until is not None
        for person in t.participants:
            present = person.seconds(Track.PRESENT, until)
            for track in Track:
                total = roster.timelines.seconds(conference.sid, person.call_sid, track, until)
                assert abs(total - person.seconds(track, until)) < 1e-6
                assert total <= present + 1e-6
        assert t.peak_participants() <= len(t.participants)
