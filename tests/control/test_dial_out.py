"""Dial-out against the simulator: ringing, never answered, explicit flags; announcements."""

from __future__ import annotations

import pytest

from moderator.domain.state import ADD_FAILED
from moderator.store.journal import JournalError
from tests.helpers.media import Media

from .conftest import Console, meeting

DAVE = "+15558675309"


async def test_a_ringing_dial_out_is_shown_but_not_counted(console: Console) -> None:
    conf, _ = await meeting(console, "Bob")
    console.sim.ring_time = 600.0  # nobody picks up during this test
    assert (await console.moderator.dial_out(conf, DAVE, label="Dave")).ok
    [dave] = [p for p in console.roster.participants(conf) if p.label == "Dave"]
    assert dave.ringing and not dave.present
    conference = console.roster.conference(conf)
    assert conference is not None and conference.headcount == 2  # Mary and Bob
    assert dave not in console.roster.participants(conf, present_only=True)


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("busy", "Dave did not answer (busy)"),
        ("no-answer", "Dave did not answer"),
        ("failed", "Could not dial Dave: the call failed"),
    ],
)
async def test_a_dial_out_never_answered_closes_as_failed(
    console: Console, outcome: str, message: str
) -> None:
    conf, _ = await meeting(console, "Bob")
    console.sim.set_dial_outcome(DAVE, outcome)
    assert (await console.moderator.dial_out(conf, DAVE, label="Dave")).ok
    await console.sim.drain()
    await console.wait_for(lambda: message in console.errors)
    [action] = console.journal.actions(conf)
    assert (action.kind, action.ok, action.confirmed, action.error) == (
        "dial-out",
        False,
        False,
        message,
    )
    [dave] = [p for p in console.roster.participants(conf) if p.label == "Dave"]
    assert (dave.present, dave.ringing, dave.call_status, dave.leave_reason) == (
        False,
        False,
        outcome,
        ADD_FAILED,
    )


async def test_a_dialled_guest_neither_starts_nor_ends_the_conference(console: Console) -> None:
    sim = console.sim
    conf = sim.create_conference("Standup", status_callback=console.server.callback_url)
    mary = await sim.join(conf, label="Mary", start_conference_on_enter=True)
    await sim.drain()
    await console.wait_for(lambda: console.roster.participant(conf, mary) is not None)
    assert (await console.moderator.dial_out(conf, DAVE, label="Dave")).ok
    await sim.drain()
    await console.wait_for(
        lambda: any(p.label == "Dave" and p.present for p in console.roster.participants(conf))
    )
    dave = console.sid_of(conf, "Dave")
    participant = sim.participant(conf, dave)
    assert participant is not None
    assert (participant.start_conference_on_enter, participant.end_conference_on_exit) == (
        False,
        False,
    )
    assert console.roster.presenter(conf) == mary  # the only starter: Mary presents


async def test_announcements_say_how_to_fetch_the_audio(console: Console) -> None:
    conf, sids = await meeting(console, "Bob")
    url = "https://example.com/welcome.mp3"
    assert (await console.moderator.announce(conf, url)).ok
    assert (await console.moderator.announce(conf, url, call_sid=sids["Bob"])).ok
    assert [a.method for a in console.sim.announcements] == ["GET", "GET"]


async def test_an_announcement_to_someone_who_left_fails_with_twilios_reason(
    console: Console, media: Media
) -> None:
    conf, sids = await meeting(console, "Bob")
    url = media.url("for-bob.mp3")  # the simulator fetches it, as Twilio does
    assert (await console.moderator.announce(conf, url, call_sid=sids["Bob"])).ok
    await console.sim.leave(conf, sids["Bob"])  # the fail callback then has no CallSid
    await console.sim.drain()
    expected = (
        "Could not play an announcement to Bob: Twilio could not play it"
        " (Participant is no longer in the conference)"
    )
    await console.wait_for(lambda: expected in console.errors)
    [action] = [a for a in console.journal.actions(conf) if a.kind == "announce"]
    assert (action.ok, action.error) == (False, expected)


async def test_a_callback_that_could_not_be_journaled_is_reconciled(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf, _ = await meeting(console, "Bob")

    def broken(*_: object, **__: object) -> None:
        raise JournalError("disk I/O error")

    monkeypatch.setattr(console.journal, "append_callbacks", broken)
    alice = await console.sim.join(conf, label="Alice")  # answered 500; Twilio does not retry
    await console.sim.drain()
    assert console.sim.stats.callbacks_failed == 1 and console.sim.stats.callbacks_retried == 0
    await console.wait_for(lambda: console.roster.participant(conf, alice) is not None)
    alice_now = console.roster.participant(conf, alice)
    assert alice_now is not None and alice_now.present  # from the reconcile's REST listing
