"""Breakout rooms: their names and who goes where (pure; control/ moves the calls)."""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from moderator.domain.door import LOBBY_SUFFIX, lobby_name

MAX_ROOMS = 50
_ROOM = re.compile(r"(?P<meeting>.+)-room-(?P<number>[0-9]+)")


def room_name(meeting: str, number: int) -> str:
    """The conference name of room `number` (1-based) of a meeting."""
    return f"{meeting}-room-{number}"


def room_number(friendly_name: str, meeting: str) -> int | None:
    """Which room of `meeting` a conference is (1-based), or None when it is none of them."""
    match = _ROOM.fullmatch(friendly_name)
    if match is None or match["meeting"] != meeting:
        return None
    return int(match["number"])


def place_words(conference_name: str, meeting: str) -> str:
    """'room 2', 'the main meeting', 'the waiting room' for a conference of `meeting` (the
    report's door rows and the event log's moves say where someone went so)."""
    if conference_name == meeting:
        return "the main meeting"
    if conference_name == lobby_name(meeting):
        return "the waiting room"
    number = room_number(conference_name, meeting)
    return f"room {number}" if number is not None else conference_name


def side_of(friendly_name: str) -> tuple[str, str] | None:
    """(meeting, 'waiting room' or 'room N') when a conference is a meeting's waiting room or
    breakout room: listed under its meeting, never followed as a meeting of its own."""
    if friendly_name.endswith(LOBBY_SUFFIX) and len(friendly_name) > len(LOBBY_SUFFIX):
        return friendly_name[: -len(LOBBY_SUFFIX)], "waiting room"
    match = _ROOM.fullmatch(friendly_name)
    if match is not None:
        return match["meeting"], f"room {int(match['number'])}"
    return None


@dataclass(frozen=True)
class RoomPlan:
    """N rooms and who is meant to be in each; a call not in `rooms_of` stays in main."""

    meeting: str
    count: int
    rooms_of: Mapping[str, int] = field(default_factory=dict)  # call sid -> room 1..count

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_ROOMS:
            raise ValueError(f"between 1 and {MAX_ROOMS} rooms, not {self.count}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(room_name(self.meeting, n) for n in range(1, self.count + 1))

    def room_of(self, call_sid: str) -> int | None:
        return self.rooms_of.get(call_sid)

    def people_in(self, room: int) -> list[str]:
        return [sid for sid, number in self.rooms_of.items() if number == room]

    def moved(self, call_sid: str, room: int | None) -> RoomPlan:
        """The plan with `call_sid` in `room` (None: main)."""
        if room is not None and not 1 <= room <= self.count:
            raise ValueError(f"there is no room {room}")
        rooms_of = {sid: n for sid, n in self.rooms_of.items() if sid != call_sid}
        if room is not None:
            rooms_of[call_sid] = room
        return RoomPlan(self.meeting, self.count, rooms_of)


def assign(
    meeting: str,
    count: int,
    people: Sequence[str],
    *,
    keep_in_main: Collection[str] = (),
    rng: random.Random | None = None,
) -> RoomPlan:
    """Spread `people` over `count` rooms as evenly as possible (sizes differ by at most one).

    In the given order, or shuffled by `rng` ("randomly"); those in `keep_in_main` (the
    presenter) stay in the main conference.
    """
    movers = [sid for sid in people if sid not in keep_in_main]
    if rng is not None:
        rng.shuffle(movers)
    return RoomPlan(meeting, count, {sid: i % count + 1 for i, sid in enumerate(movers)})
