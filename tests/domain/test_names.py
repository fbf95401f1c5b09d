"""The one display-name rule, and the roster's use of it."""

from __future__ import annotations

from datetime import datetime, timezone

from moderator.domain.events import parse_callback
from moderator.domain.names import display_name, plural
from moderator.domain.reasons import reason_words
from moderator.domain.roster import Roster
from tests.forms import form

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


def test_the_order_of_the_rule() -> None:
    everything = {"name": "Al", "label": "alice", "caller_name": "SMITH A", "number": "+1312"}
    assert display_name(**everything, ordinal=4) == "Al"
    assert display_name(**{**everything, "name": None}, ordinal=4) == "alice"
    assert display_name(caller_name="SMITH A", number="+1312", ordinal=4) == "SMITH A"
    assert display_name(number="+1312", ordinal=4) == "+1312"
    assert display_name(label="  ", ordinal=4) == "Caller 4"
    assert display_name() == "Caller"


def test_roster_names_an_unknown_caller_caller_n_and_a_known_one_by_caller_name() -> None:
    roster = Roster()
    first, second = form("participant-join", 1, who="A"), form("participant-join", 2, who="B")
    for raw in (first, second):
        del raw["ParticipantLabel"]
    roster.note_caller(second["CallSid"], "+13125550101", "SMITH B")
    for raw in (first, second):
        roster.apply(parse_callback(raw, NOW))
    a, b = roster.participants(first["ConferenceSid"])
    assert (a.display_name, b.display_name) == ("Caller 1", "SMITH B")
    assert a.call_sid not in a.display_name


def test_plurals_and_reasons() -> None:
    assert (plural(1, "participant"), plural(2, "participant")) == (
        "1 participant",
        "2 participants",
    )
    assert reason_words("moderator_ended_conference") == "the meeting ended when its chair left"
    assert reason_words("last-participant-left") == "the last person left"
    assert reason_words("something_new") == "something new"
