"""The rules on a live TeamMeeting: auto-mute after conference-start, mute on entry."""

from __future__ import annotations

from pathlib import Path

from moderator.sim import Simulator

from .conftest import Console, close_console, make_settings, meeting, open_console


def _conference_named(console: Console, name: str) -> str | None:
    found = console.roster.find_conference(name)
    return found.sid if found else None


async def _team_meeting(console: Console) -> str:
    """Plays the team-meeting scenario to `console`; its SID once the roster knows it."""
    console.sim.start_scenario("team-meeting", callback_url=console.server.callback_url)
    await console.wait_for(lambda: _conference_named(console, "TeamMeeting"))
    conf = _conference_named(console, "TeamMeeting")
    assert conf is not None
    return conf


def _origins(console: Console, conf: str) -> dict[str, set[str]]:
    """Label -> origins of the confirmed mutes journaled for it."""
    labels = {p.call_sid: p.label or "" for p in console.roster.participants(conf)}
    out: dict[str, set[str]] = {}
    for action in console.journal.actions(conf):
        if action.kind == "mute" and action.ok:
            out.setdefault(labels.get(action.call_sid or "", "?"), set()).add(action.origin)
    return out


async def test_auto_mute_mutes_everyone_but_mary(sim: Simulator, tmp_path: Path) -> None:
    # speed 50: joins at 0/40/80/120 ms, conference-start at 40 ms, Bob leaves at 600 ms
    settings = make_settings(auto_mute_enabled=True, auto_mute_delay=0.25)
    console = await open_console(sim, tmp_path, settings=settings)
    try:
        conf = await _team_meeting(console)
        await console.wait_for(lambda: console.moderator.rules.fired == [conf], timeout=3)
        await console.wait_for(
            lambda: (
                {p.label for p in console.roster.participants(conf) if p.muted}
                == {"Alice", "Bob", "Charles"}
            )
        )
        mary = console.roster.participant(conf, console.sid_of(conf, "Mary"))
        assert mary is not None and not mary.muted and mary.presenter
        assert _origins(console, conf) == {
            "Alice": {"auto-mute"},
            "Bob": {"auto-mute"},
            "Charles": {"auto-mute"},
        }
        assert ("info", "Auto-mute: Muted 3 of 3 in TeamMeeting") in console.messages
    finally:
        await close_console(console)


async def test_mute_on_entry_catches_late_joiners(sim: Simulator, tmp_path: Path) -> None:
    settings = make_settings(mute_on_entry=True)
    console = await open_console(sim, tmp_path, settings=settings)
    try:
        conf = await _team_meeting(console)
        # Bob leaves at 30 s and calls again at 40 s (a new CallSid): 0.8 s at speed 50
        await console.wait_for(
            lambda: (
                sum(1 for p in console.roster.participants(conf) if p.label == "Bob") == 2
                and all(
                    p.muted
                    for p in console.roster.participants(conf, present_only=True)
                    if p.label == "Bob"
                )
            ),
            timeout=3,
        )
        origins = {p.call_sid: p.label for p in console.roster.participants(conf)}
        muted_by_rule = [
            origins[a.call_sid or ""]
            for a in console.journal.actions(conf)
            if a.origin == "mute-on-entry"
        ]
        # Alice joined before conference-start, Mary is the presenter: neither is a late joiner
        assert muted_by_rule == ["Bob", "Charles", "Bob"]
    finally:
        await close_console(console)


async def test_rules_are_off_by_default(console: Console) -> None:
    conf, _ = await meeting(console, "Alice", "Bob")
    # a rule acts from a background task started as the joins are folded: none is left now
    await console.moderator.settle()
    assert console.journal.actions(conf) == []
    assert not any(p.muted for p in console.roster.participants(conf))


async def test_switching_auto_mute_off_cancels_the_timer(sim: Simulator, tmp_path: Path) -> None:
    settings = make_settings(auto_mute_enabled=True, auto_mute_delay=0.2)
    console = await open_console(sim, tmp_path, settings=settings)
    try:
        conf, _ = await meeting(console, "Alice")
        await console.wait_for(lambda: console.roster.conference(conf).status == "in-progress")  # type: ignore[union-attr]
        console.moderator.update_settings(make_settings(auto_mute_enabled=False))
        await console.moderator.settle()  # a timer still waiting would fire before this ends
        assert console.moderator.rules.fired == []
        assert console.journal.actions(conf) == []
    finally:
        await close_console(console)


async def test_the_rules_leave_breakout_rooms_alone(sim: Simulator, tmp_path: Path) -> None:
    """In the demo a breakout room was auto-muted once it started: people sent to a room to
    talk were muted. The rules quiet the main meeting only: no auto-mute, no mute on entry in
    a room (a room's timer would have fired before the main meeting's, started later)."""
    settings = make_settings(auto_mute_enabled=True, auto_mute_delay=0.25, mute_on_entry=True)
    console = await open_console(sim, tmp_path, settings=settings)
    try:
        room = sim.create_conference(
            "TeamMeeting-room-1", status_callback=console.server.callback_url
        )
        for index, label in enumerate(("Alice", "Bob", "Carol")):  # Carol comes in late
            await sim.join(room, label=label, number=f"+1415555010{index}")
            await sim.drain()
        await console.wait_for(lambda: len(console.roster.participants(room)) == 3)
        conf, sids = await meeting(console, "Dave")
        await console.wait_for(lambda: conf in console.moderator.rules.fired, timeout=3)
        await console.wait_for(lambda: console.roster.participant(conf, sids["Dave"]).muted)  # type: ignore[union-attr]
        await console.moderator.settle()
        assert room not in console.moderator.rules.fired
        assert console.journal.actions(room) == []
        assert not any(p.muted for p in console.roster.participants(room))
    finally:
        await close_console(console)
