"""Ending a meeting closes its door: waiting callers are told and hung up, rooms end with it (or
everyone is brought back first), the waiting room ends; no call is left behind in the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from moderator.domain.actions import ActionKind
from moderator.domain.door import MEETING_OVER
from moderator.domain.twiml import KnownCaller
from moderator.sim import Simulator

from .test_host_restore import ALICE, BOB, CAROL, DAVE, Consoles

EVE, FRANK = "+14155550105", "+14155550106"


@pytest.fixture
async def consoles(sim: Simulator, tmp_path: object) -> AsyncIterator[Consoles]:
    made = Consoles(sim, tmp_path)  # type: ignore[arg-type]
    await made.start()
    yield made
    await made.stack.aclose()


async def busy_meeting(consoles: Consoles) -> tuple[list[str], list[str]]:
    """Four in the meeting, three of them in two open rooms, two waiting at the door."""
    people = await consoles.in_main(ALICE, BOB, CAROL, DAVE)
    consoles.service.plan_rooms(2, keep_presenter=False)
    consoles.service.plan = consoles.service.plan.moved(people[0], None)  # Alice stays
    assert all(r.ok for r in await consoles.service.open_rooms())

    def in_rooms() -> int:
        return sum(len(room) for room in consoles.service.room_people().values())

    await consoles.until(lambda: in_rooms() == 3, "three in the rooms")
    consoles.service.set_waiting_room(True)
    waiting = [consoles.call(EVE), consoles.call(FRANK)]
    await consoles.until(lambda: consoles.waiting_calls() == set(waiting), "two waiting")
    return people, waiting


def left_behind(sim: Simulator) -> tuple[list[str], list[str]]:
    calls = [c.sid for c in sim.world.calls.values() if c.status != "completed"]
    conferences = [
        c.friendly_name for c in sim.world.conferences.values() if c.status != "completed"
    ]
    return calls, conferences


@pytest.mark.parametrize("close_rooms_first", [False, True])
async def test_ending_leaves_no_call_behind(consoles: Consoles, close_rooms_first: bool) -> None:
    _people, waiting = await busy_meeting(consoles)
    core = consoles.core
    assert core is not None
    main = consoles.service.main_conference()
    assert main is not None
    results = await consoles.service.end_meeting(
        lambda: core.control.end_conference(main.sid), close_rooms_first=close_rooms_first
    )
    assert all(r.ok for r in results), results
    sim = consoles.sim
    await consoles.until(lambda: left_behind(sim) == ([], []), "every call and conference ended")
    for sid in waiting:
        assert MEETING_OVER in consoles.heard(sid)
    await consoles.until(lambda: not consoles.service.waiting(), "the strip empty")
    service = consoles.service
    assert service.plan is None and not service.rooms_open
    lobby = [c for c in service.roster.conferences() if c.friendly_name.endswith("-lobby")]
    await consoles.until(lambda: not any(c.status.live for c in lobby), "the lobby ended")
    kinds = [(a.kind, a.call_sid) for a in core.journal.actions()]
    assert all((ActionKind.GONE, sid) in kinds for sid in waiting)
    assert kinds[-1] == (ActionKind.MEETING_ENDED, None)
    # what follows the end is a new meeting: a restart restores nothing of this one
    roster = service.roster
    await consoles.until(lambda: not any(c.status.live for c in roster.conferences()), "ends")
    core = await consoles.restart()
    assert core.restored is not None and not core.restored.live
    assert not core.door.settings.waiting_room


async def test_when_the_one_who_runs_it_hangs_up_nobody_is_left_waiting(
    consoles: Consoles,
) -> None:
    """The meeting ended because Carol (endConferenceOnExit) hung up: Eve, waiting at the door,
    hears that it has ended and is hung up, and the waiting room ends, as when the host ends
    it (Eve once waited on the line for a meeting that was over)."""
    core = consoles.core
    assert core is not None
    core.server.known_callers = {CAROL: KnownCaller("Carol", presenter=True)}
    carol, _alice = await consoles.in_main(CAROL, ALICE)
    consoles.service.set_waiting_room(True)
    eve = consoles.call(EVE)
    await consoles.until(lambda: consoles.waiting_calls() == {eve}, "Eve waiting")
    await consoles.sim.hang_up(carol)
    await consoles.until(lambda: left_behind(consoles.sim) == ([], []), "nobody left on a line")
    assert MEETING_OVER in consoles.heard(eve)
    gone = [a.call_sid for a in core.journal.actions() if a.kind == ActionKind.GONE]
    assert gone == [eve]


async def test_an_empty_meeting_keeps_its_waiting_room(consoles: Consoles) -> None:
    """Everyone left (nobody who runs it): the host may still admit whoever waits."""
    (alice,) = await consoles.in_main(ALICE)
    consoles.service.set_waiting_room(True)
    eve = consoles.call(EVE)
    await consoles.until(lambda: consoles.waiting_calls() == {eve}, "Eve waiting")
    await consoles.sim.hang_up(alice)
    main = consoles.service.main_conference
    await consoles.until(lambda: main() is None, "the meeting over")
    core = consoles.core
    assert core is not None
    await core.control.settle()
    assert consoles.waiting_calls() == {eve} and MEETING_OVER not in consoles.heard(eve)
