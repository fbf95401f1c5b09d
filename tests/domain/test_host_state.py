"""The meeting's host state as a fold of the journal's rows: last word wins, meetings apart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.domain import host_state as hs
from moderator.domain.actions import ActionKind
from moderator.domain.host_state import HostState, fold
from moderator.domain.pin_hash import hash_pin, is_pin_hash, pin_matches
from moderator.domain.rooms import RoomPlan, room_name
from tests.domain.histories import NOW

MEETING = "TeamMeeting"
MAIN = "CF" + "a" * 32
OTHER = "CF" + "b" * 32
CALLS = ["CA" + c * 32 for c in "123456"]


@dataclass(frozen=True)
class Row:
    """A journal row as store.journal.ActionRecord carries it."""

    at: datetime
    conference_sid: str
    call_sid: str | None
    kind: str
    params: Mapping[str, str] = field(default_factory=dict)
    ok: bool | None = True


SETTING_KINDS = [
    ActionKind.LOCK,
    ActionKind.UNLOCK,
    ActionKind.WAITING_ROOM_ON,
    ActionKind.WAITING_ROOM_OFF,
    ActionKind.PIN_CLEARED,
]
CALL_KINDS = [hs.WAIT, ActionKind.ADMIT, ActionKind.DENY, ActionKind.GONE, ActionKind.MOVE]
A_HASH = hash_pin("2468", salt=b"0123456789abcdef")


@st.composite
def rows(draw: st.DrawFn, meeting: str = MEETING) -> list[Row]:
    """A plausible run of one meeting's rows (and some of another meeting's), in journal order."""
    out: list[Row] = []
    for i in range(draw(st.integers(0, 40))):
        at = NOW + timedelta(seconds=i)
        which = draw(st.integers(0, 4))
        if which == 0:
            out.append(Row(at, meeting, None, draw(st.sampled_from(SETTING_KINDS))))
        elif which == 1:
            out.append(Row(at, meeting, None, ActionKind.PIN_SET, {"hash": A_HASH}))
        elif which == 2:
            kind = draw(st.sampled_from(CALL_KINDS))
            to = draw(st.sampled_from([meeting, room_name(meeting, 1), room_name(meeting, 2)]))
            sid = draw(st.sampled_from(CALLS))
            out.append(Row(at, meeting, sid, kind, {"to": to}, draw(st.sampled_from([True, None]))))
        elif which == 3:
            out.append(Row(at, MAIN, draw(st.sampled_from([None, *CALLS])), ActionKind.PRESENTER))
        else:
            kind = draw(st.sampled_from(sorted(hs.RECORDING_INTENTS)))
            out.append(Row(at, MAIN, None, kind, ok=draw(st.booleans())))
    return out


def state(rows_: list[Row], **kw: object) -> HostState:
    return fold(MEETING, rows_, meeting_sids={MAIN}, **kw)  # type: ignore[arg-type]


def apart(state_: HostState) -> HostState:
    """The state without the time of its newest row."""
    return replace(state_, last_at=None)


@given(rows(), rows())
def test_folding_on_from_a_state_is_folding_everything(first: list[Row], then: list[Row]) -> None:
    continued = state(first)
    for row in then:
        continued = continued.apply(row, {MAIN})
    assert continued == state(first + then)


@given(rows())
def test_the_last_word_on_each_setting_wins(history: list[Row]) -> None:
    folded = state(history)
    locks = [r.kind for r in history if r.kind in (ActionKind.LOCK, ActionKind.UNLOCK)]
    rooms = [
        r.kind
        for r in history
        if r.kind in (ActionKind.WAITING_ROOM_ON, ActionKind.WAITING_ROOM_OFF)
    ]
    pins = [r.kind for r in history if r.kind in (ActionKind.PIN_SET, ActionKind.PIN_CLEARED)]
    assert folded.locked == (bool(locks) and locks[-1] == ActionKind.LOCK)
    assert folded.waiting_room == (bool(rooms) and rooms[-1] == ActionKind.WAITING_ROOM_ON)
    assert folded.pin_hash == (A_HASH if pins and pins[-1] == ActionKind.PIN_SET else "")
    presenters = [r.call_sid for r in history if r.kind == ActionKind.PRESENTER]
    assert folded.presenter(MAIN) == (presenters[-1] if presenters else None)
    intents = [r.kind for r in history if r.kind in hs.RECORDING_INTENTS and r.ok]
    assert folded.recording.get(MAIN) == (hs.RECORDING_INTENTS[intents[-1]] if intents else None)


@given(rows())
def test_a_caller_waits_until_admitted_denied_or_gone(history: list[Row]) -> None:
    folded = state(history)
    for sid in CALLS:
        mine = [r.kind for r in history if r.call_sid == sid and r.kind != ActionKind.MOVE]
        mine = [
            k for k in mine if k in (hs.WAIT, ActionKind.ADMIT, ActionKind.DENY, ActionKind.GONE)
        ]
        assert (sid in folded.waiting) == (bool(mine) and mine[-1] == hs.WAIT)


@given(rows(), rows(meeting="Standup"))
def test_another_meetings_rows_change_nothing(ours: list[Row], theirs: list[Row]) -> None:
    theirs = [replace(r, conference_sid=OTHER) if r.conference_sid == MAIN else r for r in theirs]
    mixed = sorted(ours + theirs, key=lambda r: r.at)
    assert apart(state(mixed)) == apart(state(ours))


@given(rows(), rows(), st.sampled_from([ActionKind.MEETING_ENDED, ActionKind.FRESH_START]))
def test_an_end_or_a_fresh_start_forgets_the_meeting_before_it(
    before: list[Row], after: list[Row], kind: str
) -> None:
    marker = Row(NOW, MEETING, None, kind)
    assert apart(state([*before, marker, *after])) == apart(state(after))


@given(rows())
def test_rows_before_since_belong_to_an_earlier_meeting(history: list[Row]) -> None:
    since = NOW + timedelta(seconds=10)
    assert state(history, since=since) == state([r for r in history if r.at >= since])


def test_a_refused_move_moves_nobody() -> None:
    history = [
        Row(NOW, MEETING, CALLS[0], hs.WAIT),
        Row(NOW, MEETING, CALLS[0], ActionKind.ADMIT, ok=False),
    ]
    assert state(history).waiting == {CALLS[0]}


def test_rooms_plan_open_and_close() -> None:
    plan = RoomPlan(MEETING, 2, {CALLS[0]: 1, CALLS[1]: 2})
    opened = state(
        [
            Row(NOW, MEETING, None, ActionKind.ROOMS_PLAN, hs.plan_params(RoomPlan(MEETING, 3))),
            Row(NOW, MEETING, None, ActionKind.ROOMS_OPEN, hs.plan_params(plan)),
            Row(NOW, MEETING, CALLS[0], ActionKind.MOVE, {"to": room_name(MEETING, 1)}),
        ]
    )
    assert (opened.plan, opened.rooms_open) == (plan, True)
    assert opened.where == {CALLS[0]: room_name(MEETING, 1)}
    closed = opened.apply(Row(NOW, MEETING, None, ActionKind.ROOMS_CLOSE))
    assert (closed.plan, closed.rooms_open, closed.where) == (plan, False, {})
    cleared = closed.apply(Row(NOW, MEETING, None, ActionKind.ROOMS_CLEAR))
    assert cleared.plan is None


@given(
    st.integers(1, 50).flatmap(
        lambda n: st.tuples(st.just(n), st.dictionaries(st.sampled_from(CALLS), st.integers(1, n)))
    )
)
def test_a_plan_survives_the_journal(drawn: tuple[int, dict[str, int]]) -> None:
    count, rooms_of = drawn
    plan = RoomPlan(MEETING, count, rooms_of)
    assert hs.plan_of(MEETING, hs.plan_params(plan)) == plan


def test_a_damaged_plan_row_is_ignored() -> None:
    for params in ({"rooms": "x"}, {"rooms": "2", "plan": "CA1=3"}, {"rooms": "0"}):
        assert hs.plan_of(MEETING, params) is None


def test_rooms_are_checked_against_who_is_in_them() -> None:
    plan = RoomPlan(MEETING, 2, {CALLS[0]: 1, CALLS[1]: 2})
    journal_says = HostState(MEETING, plan=plan, rooms_open=True)
    # nobody in any room: they ended while the console was away
    assert journal_says.rooms_now({}) == (plan, False)
    # people in rooms: open, with each where they are (room 3 was never in the journal)
    now, rooms_open = HostState(MEETING).rooms_now({CALLS[2]: 3})
    assert rooms_open and now is not None and now.count == 3 and now.room_of(CALLS[2]) == 3
    now, _ = journal_says.rooms_now({CALLS[0]: 2})
    assert now is not None and now.room_of(CALLS[0]) == 2 and now.room_of(CALLS[1]) == 2


def test_flags_turn_things_on_and_never_off() -> None:
    host = HostState(MEETING, locked=True, pin_hash=A_HASH)
    merged = host.with_flags(locked=False, waiting_room=True, pin_hash="")
    assert (merged.locked, merged.waiting_room, merged.pin_hash) == (True, True, A_HASH)
    other = hash_pin("1111")
    assert host.with_flags(locked=False, waiting_room=False, pin_hash=other).pin_hash == A_HASH


@settings(max_examples=20)  # each hash is 20,000 rounds
@given(st.text("0123456789", min_size=1, max_size=20), st.text("0123456789", max_size=20))
def test_a_pin_is_kept_only_as_a_salted_hash(pin: str, keyed: str) -> None:
    made = hash_pin(pin)
    assert pin not in made.split("$")[2:] and made != hash_pin(pin)  # salted: never the same
    assert pin_matches(pin, made) and pin_matches(f" {pin} ", made)
    assert pin_matches(keyed, made) == (keyed == pin)


def test_a_bad_hash_matches_nothing() -> None:
    for bad in ("", "2468", "md5$1$00$00", "pbkdf2-sha256$x$00$00", "pbkdf2-sha256$1$zz$00"):
        assert not pin_matches("2468", bad)
        assert not is_pin_hash(bad) or bad.count("$") == 3


def test_captions_are_the_meetings_last_word_and_end_with_it() -> None:
    on = Row(NOW, MEETING, None, ActionKind.CAPTIONS_ON)
    # each caller's start or stop is the conference's row: it changes not the meeting's switch
    callers_off = Row(NOW + timedelta(seconds=1), MAIN, CALLS[0], ActionKind.CAPTIONS_OFF)
    assert fold(MEETING, [on, callers_off], meeting_sids={MAIN}).captions
    off = Row(NOW + timedelta(seconds=2), MEETING, None, ActionKind.CAPTIONS_OFF)
    assert not fold(MEETING, [on, off]).captions
    ended = Row(NOW + timedelta(seconds=2), MEETING, None, ActionKind.MEETING_ENDED)
    assert not fold(MEETING, [on, ended]).captions
    assert (
        HostState(MEETING)
        .with_flags(locked=False, waiting_room=False, pin_hash="", captions=True)
        .captions
    )
    assert fold(MEETING, [on]).with_flags(locked=False, waiting_room=False, pin_hash="").captions
