"""Each participant action end to end: pending at once, sent, confirmed by its callback."""

from __future__ import annotations

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from moderator.domain.actions import ActionKind
from moderator.sim.records import LINE_NUMBER
from tests.forms import form
from tests.helpers.media import Media

from .conftest import Console, meeting


async def _confirmed(console: Console, conf: str, call: str) -> None:
    await console.sim.drain()
    await console.wait_for(lambda: console.roster.participant(conf, call).pending is None)


async def test_mute_is_pending_then_confirmed_and_journaled(console: Console) -> None:
    conf, sids = await meeting(console, "Bob")
    bob = sids["Bob"]
    seen: list[ActionKind | None] = []

    def watch(_: object) -> None:
        participant = console.roster.participant(conf, bob)
        assert participant is not None
        seen.append(participant.pending.kind if participant.pending else None)

    console.roster.changed.connect(watch)

    result = await console.moderator.mute(conf, bob)

    assert result.ok and result.message is None
    assert seen[0] is ActionKind.MUTE  # the tile showed "pending mute" before the answer
    await _confirmed(console, conf, bob)
    assert console.roster.participant(conf, bob).muted  # type: ignore[union-attr]
    assert console.sim.participant(conf, bob).muted  # type: ignore[union-attr]
    [action] = console.journal.actions(conf)
    assert (action.kind, action.origin, action.ok, action.confirmed) == ("mute", "host", True, True)


@pytest.mark.parametrize(
    ("first", "then", "flag"),
    [("mute", "unmute", "muted"), ("hold", "unhold", "hold")],
)
async def test_each_toggle_round_trips(console: Console, first: str, then: str, flag: str) -> None:
    conf, sids = await meeting(console, "Alice")
    alice = sids["Alice"]
    moderator = console.moderator
    assert (await getattr(moderator, first)(conf, alice)).ok
    await _confirmed(console, conf, alice)
    assert getattr(console.roster.participant(conf, alice), flag) is True
    assert (await getattr(moderator, then)(conf, alice)).ok
    await _confirmed(console, conf, alice)
    assert getattr(console.roster.participant(conf, alice), flag) is False
    actions = console.journal.actions(conf)
    assert [(a.kind, a.ok, a.confirmed) for a in actions] == [
        (first, True, True),
        (then, True, True),
    ]


async def test_toggles_follow_what_the_tile_shows(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    alice = sids["Alice"]
    assert (await console.moderator.toggle_mute(conf, alice)).ok
    await _confirmed(console, conf, alice)
    assert console.sim.participant(conf, alice).muted  # type: ignore[union-attr]
    assert (await console.moderator.toggle_mute(conf, alice)).ok
    await _confirmed(console, conf, alice)
    assert not console.sim.participant(conf, alice).muted  # type: ignore[union-attr]
    assert (await console.moderator.toggle_hold(conf, alice)).ok
    await _confirmed(console, conf, alice)
    assert console.sim.participant(conf, alice).hold  # type: ignore[union-attr]


async def test_hold_sends_the_music_url(console: Console) -> None:
    conf, sids = await meeting(console, "Charles")
    url = "https://example.com/hold.mp3"
    assert (await console.moderator.hold(conf, sids["Charles"], music_url=url)).ok
    assert console.sim.participant(conf, sids["Charles"]).hold_url == url  # type: ignore[union-attr]
    await _confirmed(console, conf, sids["Charles"])
    [action] = console.journal.actions(conf)
    assert action.params["hold_url"] == url


async def test_kick_is_confirmed_by_the_leave(console: Console) -> None:
    conf, sids = await meeting(console, "Bob", "Alice")
    assert (await console.moderator.kick(conf, sids["Bob"])).ok
    await console.sim.drain()
    await console.wait_for(lambda: not console.roster.participant(conf, sids["Bob"]).present)  # type: ignore[union-attr]
    [action] = console.journal.actions(conf)
    assert (action.kind, action.ok, action.confirmed) == ("kick", True, True)


async def test_end_conference_is_confirmed_by_conference_end(console: Console) -> None:
    conf, _ = await meeting(console, "Bob")
    assert (await console.moderator.end_conference(conf)).ok
    await console.sim.drain()
    await console.wait_for(lambda: console.roster.conference(conf).status == "completed")  # type: ignore[union-attr]
    assert all(not p.present for p in console.roster.participants(conf))
    [action] = console.journal.actions(conf)
    assert (action.kind, action.ok, action.confirmed) == ("end-conference", True, True)


async def test_announce_to_conference_and_participant(console: Console, media: Media) -> None:
    conf, sids = await meeting(console, "Bob")
    url = media.url("hello.mp3")  # the simulator fetches it, as Twilio does
    assert (await console.moderator.announce(conf, url)).ok
    assert (await console.moderator.announce(conf, url, call_sid=sids["Bob"])).ok
    assert console.roster.participant(conf, sids["Bob"]).pending is None  # type: ignore[union-attr]
    await console.sim.drain()  # announcement-end for both
    await console.wait_for(lambda: all(a.confirmed for a in console.journal.actions(conf)))
    actions = console.journal.actions(conf)
    assert [(a.kind, a.call_sid, a.ok, a.confirmed) for a in actions] == [
        ("announce", None, True, True),
        ("announce", sids["Bob"], True, True),
    ]


async def test_announcement_fail_callback_reports_the_error(console: Console) -> None:
    conf, _ = await meeting(console, "Bob")
    console.sim.announce_time = 600.0  # Twilio would fetch the audio; here it never finishes
    assert (await console.moderator.announce(conf, "https://example.com/missing.mp3")).ok
    fields = form("announcement-fail", 10_000, conference_sid=conf, ReasonAnnouncementFailed="404")
    url = console.server.callback_url
    signature = RequestValidator(console.sim.auth_token).compute_signature(url, fields)
    async with aiohttp.ClientSession() as session:
        response = await session.post(url, data=fields, headers={"X-Twilio-Signature": signature})
        assert response.status == 204
    [action] = console.journal.actions(conf)
    assert (action.ok, action.confirmed) == (False, False)
    assert action.error == (
        "Could not play an announcement to the conference TeamMeeting: Twilio could not play it"
        " (404)"
    )
    assert action.error in console.errors


async def test_dial_out_joins_with_label_and_callback(console: Console) -> None:
    conf, _ = await meeting(console, "Bob")
    result = await console.moderator.dial_out(conf, "+15558675309", label="Dave")
    assert result.ok
    await console.sim.drain()
    await console.wait_for(
        lambda: any(p.label == "Dave" for p in console.roster.participants(conf))
    )
    dave = console.sid_of(conf, "Dave")
    call = console.sim.call(dave)
    assert (call.from_, call.to) == (LINE_NUMBER, "+15558675309")
    [action] = console.journal.actions(conf)
    assert (action.kind, action.ok, action.confirmed) == ("dial-out", True, True)
    # the tile learns the dialled number from the Calls resource
    await console.wait_for(lambda: console.roster.participant(conf, dave).number == "+15558675309")  # type: ignore[union-attr]


async def test_dial_out_without_caller_id_is_refused(console: Console) -> None:
    conf, _ = await meeting(console, "Bob")
    console.moderator.update_settings(console.moderator.settings.__class__(caller_id=""))
    result = await console.moderator.dial_out(conf, "+15558675309")
    assert not result.ok and "caller ID" in (result.message or "")
    assert console.errors == [result.message]


async def test_numbers_are_fetched_for_each_participant(console: Console) -> None:
    conf, sids = await meeting(console, "Alice", "Bob")
    await console.wait_for(
        lambda: all(p.number for p in console.roster.participants(conf, present_only=True))
    )
    assert console.roster.participant(conf, sids["Mary"]).number == "+12125550100"  # type: ignore[union-attr]
    assert console.roster.participant(conf, sids["Mary"]).display_name == "Mary"  # type: ignore[union-attr]
