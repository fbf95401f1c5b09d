"""ParticipantModel: row signals for join, leave and mute; never a reset per event."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QSignalSpy

from moderator.domain.actions import ActionKind
from moderator.domain.roster import Roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.participant_model import ParticipantModel, describe
from moderator.ui.grid.roles import Role
from moderator.ui.look import theme
from tests.forms import CONFERENCE_SID, START, call_sid, form, team_meeting

from ..conftest import Feed


def model_for(roster: Roster, bridge: RosterBridge) -> ParticipantModel:
    model = ParticipantModel(roster)
    bridge.changed.connect(model.on_changes)
    model.set_conference(CONFERENCE_SID)
    return model


def names(model: ParticipantModel) -> list[str]:
    return [model.index(row).data() for row in range(model.rowCount())]


class Spies:
    def __init__(self, model: ParticipantModel) -> None:
        self.inserted = QSignalSpy(model.rowsInserted)
        self.removed = QSignalSpy(model.rowsRemoved)
        self.changed = QSignalSpy(model.dataChanged)
        self.reset = QSignalSpy(model.modelReset)

    @staticmethod
    def rows(spy: QSignalSpy) -> list[Any]:
        return [spy.at(i) for i in range(spy.count())]


def test_join_inserts_one_row(roster: Roster, bridge: RosterBridge, feed: Feed) -> None:
    model = model_for(roster, bridge)
    spies = Spies(model)
    feed(form("participant-join", 1, who="Mary"))
    feed(form("participant-join", 2, who="Alice"))
    assert spies.inserted.count() == 2
    _parent, first, last = spies.inserted.at(1)
    assert (first, last) == (1, 1)
    assert names(model) == ["Mary", "Alice"]
    assert spies.reset.count() == 0


def test_leave_removes_the_row(roster: Roster, bridge: RosterBridge, feed: Feed) -> None:
    model = model_for(roster, bridge)
    feed(*team_meeting()[:5])  # Mary, Alice, start, Bob, Charles
    spies = Spies(model)
    feed(team_meeting()[6])  # Bob leaves
    assert spies.removed.count() == 1
    _parent, first, last = spies.removed.at(0)
    assert (first, last) == (2, 2)
    assert names(model) == ["Mary", "Alice", "Charles"]
    assert spies.reset.count() == 0


def test_mute_changes_only_that_row(roster: Roster, bridge: RosterBridge, feed: Feed) -> None:
    model = model_for(roster, bridge)
    feed(*team_meeting()[:5])
    spies = Spies(model)
    feed(form("participant-mute", 6, who="Alice", muted=True))
    assert spies.changed.count() == 1
    top_left, bottom_right = spies.changed.at(0)[:2]
    assert top_left.row() == bottom_right.row() == 1
    assert model.index(1).data(Role.PARTICIPANT).muted
    assert (spies.inserted.count(), spies.removed.count(), spies.reset.count()) == (0, 0, 0)


def test_speaking_and_pending_are_row_updates(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    model = model_for(roster, bridge)
    feed(*team_meeting()[:5])
    spies = Spies(model)
    feed(form("participant-speech-start", 6, who="Charles"))
    roster.mark_pending(CONFERENCE_SID, call_sid("Bob"), ActionKind.MUTE, START)
    bridge.flush()
    rows = [spies.changed.at(i)[0].row() for i in range(spies.changed.count())]
    assert rows == [3, 2]
    charles = model.index(3).data(Role.PARTICIPANT)
    assert charles.speaking
    assert model.index(2).data(Role.PARTICIPANT).pending.kind is ActionKind.MUTE
    assert "mute sent" in model.index(2).data(Qt.ItemDataRole.ToolTipRole)


def test_rejoin_goes_back_to_its_roster_position(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    model = model_for(roster, bridge)
    feed(*team_meeting())  # Bob has left
    assert names(model) == ["Mary", "Alice", "Charles"]
    feed(form("participant-join", 8, who="Bob"))
    assert names(model) == ["Mary", "Alice", "Bob", "Charles"]
    assert model.row_of(call_sid("Bob")) == 2


def test_late_callback_refold_keeps_rows_consistent(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    model = model_for(roster, bridge)
    events = team_meeting()
    feed(*reversed(events))  # worst order: every callback older than the last
    assert names(model) == [
        p.display_name for p in roster.participants(CONFERENCE_SID, present_only=True)
    ]
    assert sorted(names(model)) == ["Alice", "Charles", "Mary"]


def test_other_conferences_do_not_touch_the_model(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    model = model_for(roster, bridge)
    spies = Spies(model)
    feed(form("participant-join", 1, who="Zed", conference_sid="CF" + "9" * 32))
    assert (spies.inserted.count(), spies.changed.count()) == (0, 0)


def test_switching_conference_resets_once(roster: Roster, bridge: RosterBridge, feed: Feed) -> None:
    model = model_for(roster, bridge)
    other = "CF" + "9" * 32
    feed(*team_meeting(), form("participant-join", 1, who="Zed", conference_sid=other))
    spies = Spies(model)
    model.set_conference(other)
    assert spies.reset.count() == 1
    assert names(model) == ["Zed"]
    model.set_conference(None)
    assert model.rowCount() == 0


def test_250_participants_never_reset(roster: Roster, bridge: RosterBridge, feed: Feed) -> None:
    model = model_for(roster, bridge)
    spies = Spies(model)
    feed(*[form("participant-join", i + 1, who=f"Guest {i:03}") for i in range(250)])
    feed(*[form("participant-mute", 251 + i, who=f"Guest {i:03}", muted=True) for i in range(250)])
    assert model.rowCount() == 250
    assert spies.inserted.count() == 250
    assert spies.changed.count() == 250
    assert spies.reset.count() == 0


def test_qtmodeltester(
    qtmodeltester: Any, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    model = model_for(roster, bridge)
    qtmodeltester.check(model, force_py=True)
    feed(*team_meeting())
    feed(
        form("participant-join", 8, who="Bob"), form("participant-hold", 9, who="Alice", hold=True)
    )
    qtmodeltester.check(model, force_py=True)
    assert model.index(0).data(Role.PARTICIPANT) is not None
    assert model.data(QModelIndex()) is None


def test_describe_names_every_flag(roster: Roster, feed: Feed, bridge: RosterBridge) -> None:
    feed(form("participant-join", 1, who="Ann", muted=True, hold=True))
    participant = roster.participant(CONFERENCE_SID, call_sid("Ann"))
    assert participant is not None
    text = describe(participant)
    assert "muted" in text and "on hold" in text and participant.call_sid in text


def test_the_tool_tip_says_what_the_caller_said_last_cut_to_a_glance(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    model = model_for(roster, bridge)
    feed(*team_meeting()[:5])
    said = {call_sid("Alice"): "Good <b>morning</b>.", call_sid("Charles"): "word " * 100}
    model.last_words = said.get
    alice = model.index(1).data(Qt.ItemDataRole.ToolTipRole)
    assert "said: “Good &lt;b&gt;morning&lt;/b&gt;.”" in alice  # text, never markup
    charles = model.index(3).data(Qt.ItemDataRole.AccessibleDescriptionRole)
    (line,) = [x for x in charles.splitlines() if x.startswith("said:")]
    assert len(line) < 180 and line.endswith("…”")
    assert "said:" not in model.index(0).data(Qt.ItemDataRole.ToolTipRole)  # Mary said nothing


def test_a_batch_of_joins_reads_the_roster_once(
    roster: Roster, bridge: RosterBridge, feed: Feed, monkeypatch: Any
) -> None:
    # 250 joins in a batch read who is present (and every tile's name) 250 times: the model
    # took 36 ms of the loop per 250-person meeting, 14 ms once each is read once a batch.
    model = model_for(roster, bridge)
    reads: list[str] = []
    present_or_ringing = roster.present_or_ringing
    monkeypatch.setattr(
        roster, "present_or_ringing", lambda sid: reads.append(sid) or present_or_ringing(sid)
    )
    people = [f"Guest {n:02}" for n in range(40)]
    feed(*[form("participant-join", n + 1, who=who) for n, who in enumerate(people)])
    assert reads == [CONFERENCE_SID]
    assert names(model) == people  # the roster's order, as one at a time gave
    assert [model.row_of(call_sid(who)) for who in people] == list(range(40))
    colours = {model.index(row).data(Role.AVATAR_COLOUR).name() for row in range(model.rowCount())}
    assert len(colours) == min(40, len(theme.AVATAR_COLOURS))  # distinct while they last


def test_the_end_of_a_conference_removes_its_tiles_at_once(
    qtmodeltester: Any, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    """Everyone leaving in one batch is one removal, not one per tile (each renumbered the
    tiles after it: 31,000 row updates at the end of a 250-person meeting); people leaving
    apart are removed apart, and the rows stay numbered."""
    model = model_for(roster, bridge)
    people = [f"Guest {n:02}" for n in range(8)]
    feed(*[form("participant-join", n + 1, who=who) for n, who in enumerate(people)])
    spies = Spies(model)
    leave = [form("participant-leave", 20 + n, who=people[n]) for n in (1, 2, 5)]
    feed(*leave)  # Guest 01, 02 and 05 hang up together
    assert sorted((first, last) for _p, first, last in Spies.rows(spies.removed)) == [
        (1, 2),
        (5, 5),
    ]
    kept = [people[n] for n in (0, 3, 4, 6, 7)]
    assert names(model) == kept
    assert [model.row_of(call_sid(who)) for who in kept] == list(range(5))
    assert model.row_of(call_sid(people[1])) == -1
    qtmodeltester.check(model, force_py=True)
    feed(form("conference-end", 30, ReasonConferenceEnded="conference-ended-via-api"))
    feed(*[form("participant-leave", 31 + n, who=who) for n, who in enumerate(kept)])
    assert Spies.rows(spies.removed)[2:] == [[QModelIndex(), 0, 4]] and model.rowCount() == 0


def test_showing_a_conference_reads_each_name_once(
    roster: Roster, bridge: RosterBridge, feed: Feed, monkeypatch: Any
) -> None:
    """Picking a 250-person conference read every name once per tile (62,500 roster reads,
    145 ms before the grid showed): once each now, the colours as before."""
    people = [f"Guest {n:02}" for n in range(40)]
    feed(*[form("participant-join", n + 1, who=who) for n, who in enumerate(people)])
    model = ParticipantModel(roster)
    reads: list[str] = []
    participant = roster.participant
    monkeypatch.setattr(
        roster, "participant", lambda conf, call: reads.append(call) or participant(conf, call)
    )
    model.set_conference(CONFERENCE_SID)
    assert len(reads) <= len(people)
    colours = {model.index(row).data(Role.AVATAR_COLOUR).name() for row in range(model.rowCount())}
    assert len(colours) == min(40, len(theme.AVATAR_COLOURS))
