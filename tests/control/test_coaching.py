"""Whisper coaching and spoken announcements against the simulator: the host marks their own
call, whispers to one person (Coaching, CallSidToCoach), Twilio's participant-modify confirms."""

from __future__ import annotations

from pathlib import Path

import pytest
from twilio.base.exceptions import TwilioRestException

from moderator.control.requests import coach_call
from moderator.demo import DEMO_HOST_NUMBER, demo_settings
from moderator.domain.announcements import MAX_ANNOUNCEMENT_CHARS
from moderator.domain.twilio_words import NOT_IN_CONFERENCE_TO_COACH
from moderator.sim import Simulator

from .conftest import Console, close_console, make_settings, meeting, open_console


def coaching_of(console: Console, conf: str, call_sid: str) -> tuple[bool, str | None]:
    """What the simulated Twilio keeps on the participant resource."""
    part = console.sim.world.participant(console.sim.world.conference(conf), call_sid)
    return part.coaching, part.call_sid_to_coach


async def test_whisper_to_one_and_stop(console: Console) -> None:
    conf, sids = await meeting(console, "Alice", "Bob")
    mary, alice = sids["Mary"], sids["Alice"]
    console.moderator.this_is_me(conf, mary)
    assert console.moderator.me(conf) == mary
    result = await console.moderator.whisper(conf, alice)
    assert result.ok, console.errors
    assert coaching_of(console, conf, mary) == (True, alice)
    await console.sim.drain()  # participant-modify: Coaching=true, CallSidToCoach=Alice
    await console.wait_for(lambda: console.roster.participant(conf, mary).coaching)  # type: ignore[union-attr]
    host = console.roster.participant(conf, mary)
    assert host is not None and host.call_sid_to_coach == alice and host.pending is None
    assert console.moderator.coaching(conf) == (mary, alice)

    def whispers() -> list[tuple[str | None, str | None, bool | None, bool | None]]:
        return [
            (a.call_sid, a.params.get("call_sid_to_coach"), a.ok, a.confirmed)
            for a in console.journal.actions(conf)
            if a.kind == "whisper"
        ]

    await console.wait_for(lambda: whispers() == [(mary, alice, True, True)])
    assert (await console.moderator.stop_whisper(conf)).ok
    assert coaching_of(console, conf, mary) == (False, None)
    await console.sim.drain()
    await console.wait_for(lambda: not console.roster.participant(conf, mary).coaching)  # type: ignore[union-attr]
    assert console.moderator.coaching(conf) is None
    assert console.roster.participant(conf, mary).call_sid_to_coach is None  # type: ignore[union-attr]


async def test_whisper_needs_the_hosts_own_call_first(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    result = await console.moderator.whisper(conf, sids["Alice"])
    assert not result.ok
    assert result.message == (
        "Could not whisper to Alice: mark your own call first (This is me, or Call me)"
    )
    assert result.message in console.errors
    console.moderator.this_is_me(conf, sids["Alice"])
    result = await console.moderator.whisper(conf, sids["Alice"])
    assert result.message == "Could not whisper to Alice: that is your own call"
    assert coaching_of(console, conf, sids["Alice"]) == (False, None)  # nothing was sent


async def test_twilio_refuses_a_coached_call_not_in_the_conference(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    other, _ = await meeting(console, "Zed")  # a second conference: Zed is not in the first
    zed = console.sid_of(other, "Zed")
    client = console.moderator.rest.client()
    for stranger in (zed, "CA" + "0" * 32, sids["Mary"]):  # elsewhere, unknown, the coach
        with pytest.raises(TwilioRestException) as raised:
            await coach_call(conf, sids["Mary"], stranger).send(client)
        assert (raised.value.status, raised.value.code) == (400, NOT_IN_CONFERENCE_TO_COACH)
    assert coaching_of(console, conf, sids["Mary"]) == (False, None)


async def test_call_me_dials_the_hosts_number_and_marks_it(console: Console) -> None:
    conf, _ = await meeting(console, "Alice")
    console.moderator.update_settings(
        console.moderator.settings.__class__(
            **{**vars(console.moderator.settings), "host_number": "+15550001111"}
        )
    )
    assert (await console.moderator.call_me(conf)).ok
    await console.sim.drain()
    await console.wait_for(lambda: console.moderator.me(conf) is not None)
    me = console.roster.participant(conf, console.moderator.me(conf) or "")
    assert me is not None and me.label == "Host" and me.present
    kinds = [a.kind for a in console.journal.actions(conf)]
    assert kinds == ["dial-out", "this-is-me"]


async def test_call_me_without_a_number_says_where_to_set_it(console: Console) -> None:
    conf, _ = await meeting(console, "Alice")
    result = await console.moderator.call_me(conf)
    assert not result.ok and "set your phone number in Settings" in (result.message or "")


async def test_announce_a_text_to_everyone_and_to_one(console: Console) -> None:
    conf, sids = await meeting(console, "Bob")
    assert (await console.moderator.announce_text(conf, "Five minutes left")).ok
    assert (await console.moderator.announce_text(conf, "Bob, you're next", sids["Bob"])).ok
    await console.sim.drain()  # Twilio fetches the announce route, then announcement-end
    await console.wait_for(lambda: all(a.confirmed for a in console.journal.actions(conf)))
    actions = console.journal.actions(conf)
    assert [(a.kind, a.call_sid, a.params.get("text"), a.ok) for a in actions] == [
        ("announce", None, "Five minutes left", True),
        ("announce", sids["Bob"], "Bob, you're next", True),
    ]


async def test_a_hostile_announcement_is_bounded_and_spoken_as_text(console: Console) -> None:
    conf, _ = await meeting(console, "Bob")
    hostile = '<Hangup/>=HYPERLINK("http://evil")\n' + "x" * 5000
    assert (await console.moderator.announce_text(conf, hostile)).ok
    await console.sim.drain()
    await console.wait_for(lambda: all(a.confirmed for a in console.journal.actions(conf)))
    [action] = console.journal.actions(conf)
    text = action.params["text"]
    assert len(text) == MAX_ANNOUNCEMENT_CHARS and text.startswith("<Hangup/>=HYPERLINK")
    assert "\n" not in text
    assert all(p.present for p in console.roster.participants(conf))  # no <Hangup/> obeyed
    assert not (await console.moderator.announce_text(conf, "   ")).ok


async def test_the_demo_can_call_the_host(console: Console) -> None:
    conf, _ = await meeting(console, "Alice")
    console.moderator.update_settings(demo_settings(console.moderator.settings, 50.0))
    assert (await console.moderator.call_me(conf)).ok
    await console.sim.drain()
    await console.wait_for(lambda: console.moderator.me(conf) is not None)
    me = console.moderator.me(conf) or ""
    assert console.sim.world.calls[me].to == DEMO_HOST_NUMBER  # the phone that rang


async def test_the_host_is_told_when_the_one_they_whisper_to_leaves(console: Console) -> None:
    """Alice hangs up while the host whispers to her: nobody hears the host now. The console
    says so once and keeps the whisper (stopping it would let everyone hear what was meant for
    one); Stop whispering still ends it."""
    conf, sids = await meeting(console, "Alice", "Bob")
    mary, alice = sids["Mary"], sids["Alice"]
    console.moderator.this_is_me(conf, mary)
    assert (await console.moderator.whisper(conf, alice)).ok
    await console.sim.drain()
    await console.wait_for(lambda: console.moderator.coaching(conf) == (mary, alice))
    await console.sim.hang_up(alice)
    await console.sim.drain()
    told = (
        "Alice left the meeting: nobody hears your whisper now"
        " (Stop whispering to talk to everyone)"
    )
    await console.wait_for(lambda: told in console.errors)
    assert [text for _level, text in console.messages].count(told) == 1
    assert console.moderator.coaching(conf) == (mary, alice)
    assert coaching_of(console, conf, mary) == (True, alice)
    assert (await console.moderator.stop_whisper(conf)).ok
    assert coaching_of(console, conf, mary) == (False, None)


async def test_the_rules_never_mute_the_hosts_own_call(sim: Simulator, tmp_path: Path) -> None:
    """Under Xvfb the demo's Call me joined muted by mute-on-entry (a late joiner): the host
    then whispered to no one. The rules, and Mute all but presenter, spare the host's call;
    Mute everyone still mutes it."""
    settings = make_settings(mute_on_entry=True, host_number="+15550001111")
    console = await open_console(sim, tmp_path, settings=settings)
    try:
        conf, sids = await meeting(console, "Alice", "Bob")
        assert (await console.moderator.call_me(conf)).ok
        await console.sim.drain()
        await console.wait_for(lambda: console.moderator.me(conf) is not None)
        me = console.moderator.me(conf) or ""
        await console.moderator.settle()  # a rule acts from a background task
        muted = [a.call_sid for a in console.journal.actions(conf) if a.kind == "mute"]
        assert me not in muted, (me, sids, muted)
        assert (await console.moderator.mute_all(conf)).ok
        await console.sim.drain()
        muted = {a.call_sid for a in console.journal.actions(conf) if a.kind == "mute"}
        assert muted == {sids["Alice"], sids["Bob"]}  # not Mary (presenter), not the host
        assert (await console.moderator.mute_all(conf, except_presenter=False)).ok
        muted = {a.call_sid for a in console.journal.actions(conf) if a.kind == "mute"}
        assert me in muted
    finally:
        await close_console(console)


@pytest.mark.parametrize(
    ("who", "told"),
    [
        # the README tells the host to mute themselves to only listen: Alice hears nothing
        ("Mary", "You are muted: Alice hears you once you unmute (Space on your tile)"),
        ("Alice", "Alice is on hold: they hear you once taken off hold (H on their tile)"),
    ],
)
async def test_a_whisper_nobody_hears_yet_is_told(console: Console, who: str, told: str) -> None:
    """The host muted, or Alice on hold (the music, not the host): the whisper is sent and
    the console says why it is not heard yet."""
    conf, sids = await meeting(console, "Alice", "Bob")
    mary, alice = sids["Mary"], sids["Alice"]
    console.moderator.this_is_me(conf, mary)
    change = console.moderator.mute if who == "Mary" else console.moderator.hold
    assert (await change(conf, sids[who])).ok
    await console.sim.drain()
    await console.wait_for(lambda: console.roster.participant(conf, sids[who]).pending is None)  # type: ignore[union-attr]
    assert (await console.moderator.whisper(conf, alice)).ok
    assert ("warning", told) in console.messages
