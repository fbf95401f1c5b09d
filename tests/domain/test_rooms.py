"""Breakout room names and assignment: even sizes, random order, presenter kept in main."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from moderator.domain.rooms import RoomPlan, assign, room_name, room_number

PEOPLE = [f"CA{i:032d}" for i in range(10)]


def test_room_names_round_trip() -> None:
    assert room_name("TeamMeeting", 2) == "TeamMeeting-room-2"
    assert room_number("TeamMeeting-room-2", "TeamMeeting") == 2
    assert room_number("Other-room-2", "TeamMeeting") is None
    assert room_number("TeamMeeting", "TeamMeeting") is None


@pytest.mark.parametrize("count", [1, 3, 4, 10, 12])
def test_evenly(count: int) -> None:
    plan = assign("M", count, PEOPLE)
    sizes = Counter(plan.rooms_of.values())
    assert sum(sizes.values()) == len(PEOPLE)
    assert max(sizes.values()) - min(sizes.values()) <= 1
    assert set(sizes) <= set(range(1, count + 1))


def test_presenter_stays_in_main() -> None:
    plan = assign("M", 3, PEOPLE, keep_in_main={PEOPLE[0]})
    assert plan.room_of(PEOPLE[0]) is None
    assert len(plan.rooms_of) == len(PEOPLE) - 1


def test_randomly_is_reproducible_with_a_seed_and_differs_from_in_order() -> None:
    ordered = assign("M", 3, PEOPLE)
    shuffled = assign("M", 3, PEOPLE, rng=random.Random(7))
    assert shuffled == assign("M", 3, PEOPLE, rng=random.Random(7))
    assert shuffled.rooms_of != ordered.rooms_of
    assert Counter(shuffled.rooms_of.values()) == Counter(ordered.rooms_of.values())


def test_moving_people() -> None:
    plan = RoomPlan("M", 2).moved("CA1", 2)
    assert plan.people_in(2) == ["CA1"]
    assert plan.moved("CA1", None).room_of("CA1") is None
    with pytest.raises(ValueError, match="no room 3"):
        plan.moved("CA1", 3)
    with pytest.raises(ValueError, match="between 1 and 50 rooms"):
        RoomPlan("M", 0)
    assert plan.names == ("M-room-1", "M-room-2")
