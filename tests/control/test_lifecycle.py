"""The one action lifecycle against the simulator: record → mark pending → send → finish →
confirm by callback, or grace → resolve; every REST failure rolled back with one redacted
message, for a participant, a conference and a meeting target alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from twilio.rest import Client

from moderator.control.actions.lifecycle import ANSWER_CONFIRMS, Action, Lifecycle
from moderator.control.actions.rules import ENDING, PARTICIPANT
from moderator.control.call_moves import replace_twiml
from moderator.control.requests import end_conference_call, participant_call
from moderator.control.results import ActionResult
from moderator.credentials import Credentials
from moderator.domain import door_twiml
from moderator.domain.actions import ActionKind, Target
from moderator.sim import Simulator

from .conftest import Console, close_console, make_settings, meeting, open_console

MEETING = "TeamMeeting"
TIMEOUT = 0.3  # the console's REST timeout in these tests


def _mute(lc: Lifecycle, conf: str, call: str) -> Action:
    call_ = participant_call(ActionKind.MUTE, conf, call)
    target = Target.participant(conf, call)
    return Action(ActionKind.MUTE, target, lc.who(conf, call), call_.send, PARTICIPANT)


def _end(lc: Lifecycle, conf: str, call: str) -> Action:
    """Ending a conference, shown pending on the conference until its conference-end."""
    send = end_conference_call(conf).send
    target = Target.conference(conf)
    return Action(ActionKind.END_CONFERENCE, target, lc.who(conf, None), send, ENDING)


def _goodbye(lc: Lifecycle, conf: str, call: str) -> Action:
    """A call hung up with a goodbye, shown pending on the meeting until Twilio answers."""
    twiml = door_twiml.goodbye("Goodbye")

    async def send(client: Client) -> Any:
        return await replace_twiml(client, call, twiml)

    return Action(
        ActionKind.DENY,
        Target.meeting(MEETING),
        lc.who(conf, call),
        send,
        ANSWER_CONFIRMS,
        subject="call",
    )


MAKERS: dict[str, Callable[[Lifecycle, str, str], Action]] = {
    "participant": _mute,
    "conference": _end,
    "meeting": _goodbye,
}

# what each failure reads like, after "Could not <verb> <who>: "
FAILURES = {
    429: "Twilio is rate limiting requests and still refused after retries (20429)",
    500: "Twilio had a server error (HTTP 500) and still failed after retries (20500)",
    401: "Twilio rejected the credentials; check the Account SID and Auth Token",
    404: "Twilio says the {subject} ",
    0: f"Twilio did not answer within {TIMEOUT:g} s",  # the timeout
}
SUBJECTS = {"participant": "participant has left", "conference": "conference is over"}
SUBJECTS["meeting"] = "call is over"


@pytest.fixture
async def slow_console(sim: Simulator, tmp_path: Path) -> AsyncIterator[Console]:
    console = await open_console(sim, tmp_path, settings=make_settings(rest_timeout=TIMEOUT))
    yield console
    await close_console(console)


@pytest.mark.parametrize("status", sorted(FAILURES))
@pytest.mark.parametrize("scope", sorted(MAKERS))
async def test_a_failure_rolls_the_mark_back_with_one_readable_message(
    slow_console: Console, scope: str, status: int
) -> None:
    console = slow_console
    conf, sids = await meeting(console, "Bob")
    lc = console.moderator.lifecycle
    action = MAKERS[scope](lc, conf, sids["Bob"])
    marks: list[object] = []
    lc.changed.connect(lambda target: marks.append(console.roster.pending_on(target)))
    if status:
        console.sim.fail_next(status, count=10, retry_after=0.01 if status == 429 else None)
    else:
        console.sim.faults.latency = TIMEOUT * 3

    result = await lc.run(action)
    console.sim.faults.latency = 0.0
    console.sim.failures.clear()

    expected = FAILURES[status].format(subject=SUBJECTS[scope].split()[0])
    assert not result.ok and result.message is not None
    assert result.message.startswith(f"{action.says}: {expected}")
    if status == 404:
        assert SUBJECTS[scope] in result.message
    assert console.errors == [result.message]  # one message, the same as the result's
    assert marks[0] is not None and marks[0].kind is action.kind  # type: ignore[attr-defined]
    assert marks[-1] is None and console.roster.pending_on(action.target) is None  # rolled back
    [row] = [a for a in console.journal.actions() if a.kind == action.kind]
    assert (row.conference_sid, row.ok, row.confirmed, row.error) == (
        action.target.key,
        False,
        False,
        result.message,
    )
    assert lc.awaiting(action.target) is None


@pytest.mark.parametrize("scope", sorted(MAKERS))
async def test_confirmed_by_its_callback_or_its_answer(console: Console, scope: str) -> None:
    conf, sids = await meeting(console, "Bob")
    lc = console.moderator.lifecycle
    action = MAKERS[scope](lc, conf, sids["Bob"])
    console.sim.faults.latency = 0.2  # the answer takes a while: the target shows pending
    shown: list[object] = []
    lc.changed.connect(lambda target: shown.append(console.roster.pending_on(target)))

    assert (await lc.run(action)).ok
    assert shown[0] is not None  # pending from the start
    console.sim.faults.latency = 0.0
    await console.sim.drain()
    await console.wait_for(lambda: console.roster.pending_on(action.target) is None)
    await console.wait_for(lambda: console.journal.actions()[-1].confirmed)
    [row] = [a for a in console.journal.actions() if a.kind == action.kind]
    assert (row.ok, row.confirmed, row.error) == (True, True, None)
    assert console.errors == []
    if scope == "participant":
        assert console.roster.participant(conf, sids["Bob"]).muted  # type: ignore[union-attr]
    if scope == "conference":
        assert console.roster.conference(conf).status == "completed"  # type: ignore[union-attr]


async def test_without_its_callback_the_grace_confirms_it_from_the_conference_list(
    console: Console,
) -> None:
    conf, sids = await meeting(console, "Bob")
    lc = console.moderator.lifecycle
    bob = sids["Bob"]
    console.sim.faults.drop = 1.0  # the participant-mute callback never comes
    runs = console.moderator.reconciler.runs
    assert (await lc.run(_mute(lc, conf, bob))).ok
    assert console.roster.pending(conf, bob) is not None  # still waiting for the callback
    await console.wait_for(lambda: console.roster.pending(conf, bob) is None, timeout=lc.grace * 6)
    assert console.roster.participant(conf, bob).muted  # type: ignore[union-attr]  # as listed
    await console.wait_for(lambda: console.moderator.reconciler.runs > runs)
    console.sim.faults.drop = 0.0
    [row] = console.journal.actions(conf)
    assert (row.kind, row.ok, row.confirmed) == ("mute", True, True)  # the list confirms it


async def test_an_end_without_its_callback_is_confirmed_by_the_reconcile(
    console: Console,
) -> None:
    conf, sids = await meeting(console, "Bob")
    lc = console.moderator.lifecycle
    console.sim.faults.drop = 1.0  # conference-end never comes
    assert (await lc.run(_end(lc, conf, sids["Bob"]))).ok
    assert console.roster.pending_on(Target.conference(conf)) is not None
    await console.wait_for(lambda: console.journal.actions(conf)[0].confirmed, timeout=5.0)
    console.sim.faults.drop = 0.0
    assert console.roster.pending_on(Target.conference(conf)) is None
    assert console.roster.conference(conf).status == "completed"  # type: ignore[union-attr]


async def test_the_message_is_redacted_once(sim: Simulator, tmp_path: Path) -> None:
    token = "f00dfacef00dfacef00dfacef00dface"
    console = await open_console(sim, tmp_path, credentials=Credentials(sim.account_sid, token))
    try:
        conf, sids = await meeting(console, "Bob")
        console.messages.clear()
        lc = console.moderator.lifecycle
        action = _mute(lc, conf, sids["Bob"])
        leaky = Action(action.kind, action.target, f"Bob ({token})", action.send, action.rule)
        result = await lc.run(leaky)
        assert result.message is not None and token not in result.message
        assert "Bob (***)" in result.message
        assert console.errors == [result.message]
        assert all(token not in (a.error or "") for a in console.journal.actions())
    finally:
        await close_console(console)


async def test_an_action_with_nothing_to_send_is_recorded_and_finished(
    console: Console,
) -> None:
    lc = console.moderator.lifecycle
    action = Action(ActionKind.LOCK, Target.meeting(MEETING), MEETING)
    assert lc.decide(action).ok
    [row] = console.journal.actions(MEETING)
    assert (row.kind, row.ok, row.error) == ("lock", True, None)
    assert console.roster.pending_on(action.target) is None


# ---- no action stays open: after the grace, a reconcile confirms it or it is finished --------

DANA = "+14155550199"


def _row(console: Console, conf: str, kind: ActionKind) -> Any:
    [row] = [a for a in console.journal.actions(conf) if a.kind == kind]
    return row


async def _unheard(
    console: Console,
    kind: ActionKind,
    act: Callable[[str], Awaitable[ActionResult]],
    then: Callable[[], None] = lambda: None,
) -> Any:
    """`act` in a meeting whose callbacks never come (`then`: once Twilio accepted it); its
    journal row once confirmed or finished, the console settled."""
    conf, _sids = await meeting(console, "Bob")
    console.sim.faults.drop = 1.0
    console.messages.clear()
    assert (await act(conf)).ok
    then()
    await console.wait_for(lambda: (r := _row(console, conf, kind)).confirmed or r.error)
    console.sim.failures.clear()
    await console.moderator.settle()
    return _row(console, conf, kind)


async def test_a_mute_the_conference_list_does_not_show_is_finished_with_what_it_shows(
    console: Console,
) -> None:
    async def mute_bob(conf: str) -> ActionResult:
        bob = console.sid_of(conf, "Bob")
        result = await console.moderator.mute(conf, bob)
        await console.sim.set_muted(conf, bob, False)  # he unmutes; no callback says either
        return result

    row = await _unheard(console, ActionKind.MUTE, mute_bob)
    said = "Could not mute Bob: no word from Twilio; the conference list shows Bob not muted"
    assert (row.ok, row.confirmed, row.error) == (False, False, said)
    assert console.messages == [("error", said)]  # told once


async def test_a_bulk_mute_without_callbacks_is_confirmed_by_shared_listings(
    console: Console,
) -> None:
    guests = [f"Guest {n}" for n in range(8)]
    conf, _sids = await meeting(console, *guests)
    console.sim.faults.drop = 1.0
    runs = console.moderator.reconciler.runs
    result = await console.moderator.mute_all(conf, except_presenter=True)
    assert result.succeeded == len(guests)
    await console.moderator.settle()
    mutes = [a for a in console.journal.actions(conf) if a.kind == ActionKind.MUTE]
    assert [(a.ok, a.confirmed) for a in mutes] == [(True, True)] * len(guests)
    # a listing begun after an answer serves every grace that ends while it runs
    assert console.moderator.reconciler.runs - runs < len(guests)


async def test_an_end_without_its_callback_is_confirmed_once_twilio_lists_it_ended(
    console: Console,
) -> None:
    row = await _unheard(console, ActionKind.END_CONFERENCE, console.moderator.end_conference)
    assert (row.ok, row.confirmed, row.error) == (True, True, None)
    assert console.messages == []  # the host clicked End: nothing more to hear


async def test_an_end_twilio_could_not_be_asked_about_is_finished_with_what_is_known(
    console: Console,
) -> None:
    def cannot_list() -> None:  # the grace's reconcile cannot list the conference
        console.sim.fail_next(500, count=50)

    row = await _unheard(
        console, ActionKind.END_CONFERENCE, console.moderator.end_conference, cannot_list
    )
    said = (
        "Ending the conference TeamMeeting: no word from Twilio, and it could not be asked;"
        " the console last saw it in progress with 2 people"
    )
    # Twilio accepted the end and nothing says it failed: ok stands, the host is warned once
    assert (row.ok, row.confirmed, row.error) == (True, False, said)
    assert console.messages.count(("warning", said)) == 1
    assert console.errors[0].startswith("Could not reconcile with Twilio")


async def test_an_announcement_without_its_callback_is_finished_with_what_twilio_lists(
    console: Console,
) -> None:
    def hello(conf: str) -> Awaitable[ActionResult]:
        return console.moderator.announce_text(conf, "Hello everyone")

    row = await _unheard(console, ActionKind.ANNOUNCE, hello)
    said = (
        "The announcement to the conference TeamMeeting: no word from Twilio;"
        " the conference list shows it in progress with 2 people"
    )
    assert (row.ok, row.confirmed, row.error) == (True, False, said)  # accepted, not heard of
    assert console.messages == [("warning", said)]  # told once


def _dial_dana(console: Console) -> Callable[[str], Awaitable[ActionResult]]:
    return lambda conf: console.moderator.dial_out(conf, DANA, "Dana")


async def test_a_dial_out_without_its_callbacks_is_confirmed_by_the_conference_list(
    console: Console,
) -> None:
    row = await _unheard(console, ActionKind.DIAL_OUT, _dial_dana(console))
    assert (row.ok, row.confirmed, row.error) == (True, True, None)
    present = console.roster.participants(row.conference_sid, present_only=True)
    assert [p.label for p in present] == ["Mary", "Bob", "Dana"]
    assert console.messages == [("info", "Dialling Dana")]


async def test_a_dial_out_that_never_joined_without_its_callbacks_is_finished(
    console: Console,
) -> None:
    console.sim.set_dial_outcome(DANA, "busy")  # and the leave that says so never comes
    row = await _unheard(console, ActionKind.DIAL_OUT, _dial_dana(console))
    said = (
        "Could not dial Dana: no word from Twilio; the conference list shows Dana not in the call"
    )
    assert (row.ok, row.confirmed, row.error) == (False, False, said)
    assert console.messages == [("info", "Dialling Dana"), ("error", said)]  # told once


async def test_a_dial_out_twilio_could_not_be_asked_about_is_one_warning(
    console: Console,
) -> None:
    def cannot_list() -> None:  # the grace's reconcile cannot list the conference
        console.sim.fail_next(500, count=50)

    row = await _unheard(console, ActionKind.DIAL_OUT, _dial_dana(console), cannot_list)
    said = (
        "Dialling Dana: no word from Twilio, and it could not be asked;"
        " the console last saw Dana still ringing"
    )
    assert (row.ok, row.confirmed, row.error) == (True, False, said)
    reconcile = [text for text in console.errors if text.startswith("Could not reconcile")]
    assert console.messages.count(("warning", said)) == 1 and len(reconcile) == 1  # no retelling


# ---- an end, an announcement and a dial-out show in flight, from the one overlay ------------


async def test_an_end_and_a_dial_out_show_in_flight_until_settled(console: Console) -> None:
    conf, _sids = await meeting(console, "Bob")
    moderator = console.moderator
    told: list[str | None] = []
    moderator.host_changed.connect(lambda sid: told.append(moderator.in_flight(sid)))
    console.sim.faults.latency = 0.2  # Twilio takes a while to answer: the header says so

    assert (await moderator.dial_out(conf, DANA, "Dana")).ok
    assert told[0] == "dialling Dana…"
    await console.wait_for(lambda: _row(console, conf, ActionKind.DIAL_OUT).confirmed)
    assert moderator.in_flight(conf) is None and told[-1] is None  # joined: the mark is gone

    told.clear()
    assert (await moderator.end_conference(conf)).ok
    assert told[0] == "ending…"
    await console.wait_for(lambda: _row(console, conf, ActionKind.END_CONFERENCE).confirmed)
    assert moderator.in_flight(conf) is None and told[-1] is None


async def test_a_failed_end_or_dial_out_rolls_the_header_back(console: Console) -> None:
    conf, _sids = await meeting(console, "Bob")
    moderator = console.moderator
    told: list[str | None] = []
    moderator.host_changed.connect(lambda sid: told.append(moderator.in_flight(sid)))
    console.sim.fail_next(500, count=10)
    assert not (await moderator.end_conference(conf)).ok
    console.sim.fail_next(500, count=10)
    assert not (await moderator.dial_out(conf, DANA, "Dana")).ok
    assert told == ["ending…", None, "dialling Dana…", None]
    assert console.roster.pending_on(Target.conference(conf)) is None
