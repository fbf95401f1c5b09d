"""Send to waiting room and back, and the host's own call and whisper over a restart: calls walk
the simulator's voice path, the console is stopped and started again on the same journal."""

from __future__ import annotations

from moderator.domain.door import SENT_TO_WAIT
from moderator.domain.twiml import KnownCaller
from moderator.store.report import build_report
from moderator.ui.log.action_entries import entry_for_action

from .test_host_restore import ALICE, BOB, CAROL, Consoles, consoles  # noqa: F401 - fixture


async def test_send_to_waiting_room_and_admit_back(consoles: Consoles) -> None:  # noqa: F811
    alice, bob = await consoles.in_main(ALICE, BOB)
    result = await consoles.service.send_to_waiting(bob)
    assert result.ok, consoles.messages
    await consoles.until(lambda: consoles.waiting_calls() == {bob}, "Bob in the waiting room")
    assert consoles.main_calls() == {alice}
    assert SENT_TO_WAIT in consoles.heard(bob)
    core = consoles.core
    assert core is not None
    [row] = [a for a in core.journal.actions() if a.kind == "wait" and a.origin == "host"]
    assert (row.call_sid, row.ok, row.params.get("to")) == (bob, True, "TeamMeeting-lobby")
    core = await consoles.restart()  # they still wait after a restart (the door's fold)
    assert consoles.waiting_calls() == {bob}
    assert (await consoles.service.admit(bob)).ok
    await consoles.until(lambda: consoles.main_calls() == {alice, bob}, "Bob back in")
    report = build_report(core.journal, "TeamMeeting")
    door = [(d["kind"], d["by"]) for d in report["door"]]
    assert ("wait", "host") in door and ("admit", "host") in door


async def test_this_is_me_and_whisper_last_over_a_restart(consoles: Consoles) -> None:  # noqa: F811
    me, alice, _carol = await consoles.in_main(BOB, ALICE, CAROL)
    core = consoles.core
    assert core is not None
    conf = consoles.service.main_conference()
    assert conf is not None
    core.control.this_is_me(conf.sid, me)
    assert (await core.control.whisper(conf.sid, alice)).ok
    await consoles.until(lambda: core.control.coaching(conf.sid) == (me, alice), "whispering")
    core = await consoles.restart()
    assert core.control.me(conf.sid) == me
    await consoles.until(lambda: core.control.coaching(conf.sid) == (me, alice), "restored")
    assert (await core.control.stop_whisper(conf.sid)).ok
    core.control.this_is_me(conf.sid, None)
    core = await consoles.restart()  # and what was undone stays undone
    assert core.control.me(conf.sid) is None
    assert core.control.coaching(conf.sid) is None


async def test_callers_keep_their_names_over_a_restart_before_twilio_answers(
    consoles: Consoles,  # noqa: F811
) -> None:
    """The door journaled each caller's number: a restart names them by it at once (the address
    book's Alice, Bob's number), not "Caller N" until a reconcile asks Twilio, nor forever when
    Twilio cannot be reached (here: the console restarts without starting control)."""
    alice, bob = await consoles.in_main(ALICE, BOB)
    conf = consoles.service.main_conference()
    assert conf is not None
    core = await consoles.restart(start_control=False)
    names = {p.call_sid: p.display_name for p in core.roster.participants(conf.sid)}
    assert names == {alice: "Alice", bob: BOB}


async def test_a_caller_sent_to_wait_is_named_as_their_tile(consoles: Consoles) -> None:  # noqa: F811
    """Bob's tile shows the label the door gave him (no address-book entry): the journaled
    send names him so, and the event log's line says "Bob", not his number."""
    core = consoles.core
    assert core is not None
    core.server.known_callers = {BOB: KnownCaller("Bob")}
    _alice, bob = await consoles.in_main(ALICE, BOB)
    assert (await consoles.service.send_to_waiting(bob)).ok
    [row] = [a for a in core.journal.actions() if a.kind == "wait" and a.origin == "host"]
    assert row.params.get("name") == "Bob"
    line = entry_for_action(row, lambda _conf, _call: None, "TeamMeeting")
    assert (line.who, line.details) == ("Bob", "to the waiting room")  # not "TeamMeeting-lobby"


async def test_a_dialled_in_guest_keeps_their_name_through_the_waiting_room(
    consoles: Consoles,  # noqa: F811
) -> None:
    """Call me's 'Host' (a dial-out's label, no address-book entry) came back from a room or
    the waiting room as a bare number: a move now carries the call's own label."""
    (alice,) = await consoles.in_main(ALICE)
    core = consoles.core
    assert core is not None
    conf = consoles.service.main_conference()
    assert conf is not None
    assert (await core.control.dial_out(conf.sid, "+15550001111", "Dana")).ok
    await consoles.sim.drain()
    await consoles.until(lambda: len(consoles.main_calls()) == 2, "Dana answered")
    (dana,) = consoles.main_calls() - {alice}
    assert (await consoles.service.send_to_waiting(dana)).ok
    await consoles.until(lambda: consoles.waiting_calls() == {dana}, "Dana waiting")
    assert [p.display_name for p in consoles.service.waiting()] == ["Dana"]
    assert (await consoles.service.admit(dana)).ok
    await consoles.until(lambda: dana in consoles.main_calls(), "Dana back")
    names = {p.call_sid: p.display_name for p in consoles.service.main_people()}
    assert names[dana] == "Dana"


async def test_the_one_who_runs_the_meeting_is_never_sent_out_of_it(
    consoles: Consoles,  # noqa: F811
) -> None:
    """In the demo, Send to waiting room on Mary (the meeting ends when she leaves it) ended
    the meeting for everyone and left her alone in the ended meeting's waiting room, on the
    line. Moving her out of the meeting (waiting room, a room) is refused and says why."""
    core = consoles.core
    assert core is not None
    core.server.known_callers = {CAROL: KnownCaller("Carol", presenter=True)}
    carol, alice = await consoles.in_main(CAROL, ALICE)
    result = await consoles.service.send_to_waiting(carol)
    told = (
        "Could not send Carol to the waiting room: the meeting ends for everyone when Carol"
        " leaves it (Carol runs the conference)"
    )
    assert (result.ok, result.message) == (False, told)
    assert consoles.main_calls() == {carol, alice}
    assert SENT_TO_WAIT not in consoles.heard(carol)
    assert not [a for a in core.journal.actions() if a.kind == "wait" and a.origin == "host"]
    consoles.service.plan_rooms(2, keep_presenter=False)
    results = await consoles.service.open_rooms()
    refused = [r.message for r in results if not r.ok]
    assert len(refused) == 1 and "Could not move Carol to room" in (refused[0] or "")
    await consoles.until(lambda: consoles.main_calls() == {carol}, "Alice in her room")
