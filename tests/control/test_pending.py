"""One pending: the roster's overlay is the record; control's wait for a callback follows it."""

from __future__ import annotations

import asyncio

from moderator.control import Moderator
from moderator.domain.actions import CONFIRM_GRACE, ActionKind, Target

from .conftest import Console, meeting


async def test_control_waits_only_while_the_roster_shows_pending(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    alice = sids["Alice"]
    lifecycle = console.moderator.lifecycle
    console.sim.faults.latency = 0.3  # the REST answer takes a while: the tile is pending
    muting = asyncio.ensure_future(console.moderator.mute(conf, alice))
    await console.wait_for(lambda: console.roster.pending(conf, alice) is not None)
    mark = console.roster.pending(conf, alice)
    ticket = lifecycle.awaiting(Target.participant(conf, alice))
    assert mark is not None and mark.kind is ActionKind.MUTE
    assert ticket is not None and ticket.token == mark.token

    # The overlay is dropped (as a snapshot or a newer action would): control stops waiting too,
    # so the 3-second rule does not later resolve a mark nobody shows.
    console.roster.clear_pending(conf, alice)
    assert lifecycle.awaiting(Target.participant(conf, alice)) is None
    console.sim.faults.drop = 1.0  # and no confirming callback either
    assert (await muting).ok
    runs, snapshots = console.moderator.reconciler.runs, len(list(console.journal.snapshots()))
    # every background task runs to its end (a grace wait started for the mute would have
    # resolved and reconciled by then), instead of sleeping two graces and hoping it had
    await console.moderator.settle()
    assert console.moderator.reconciler.runs == runs
    assert len(list(console.journal.snapshots())) == snapshots
    console.sim.faults.drop = 0.0
    console.sim.faults.latency = 0.0


async def test_a_newer_action_keeps_its_own_mark(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    alice = sids["Alice"]
    console.sim.fail_next(400, count=1)  # the first (mute) fails ...
    console.sim.faults.latency = 0.2
    first = asyncio.ensure_future(console.moderator.mute(conf, alice))
    await console.wait_for(lambda: console.roster.pending(conf, alice) is not None)
    second = asyncio.ensure_future(console.moderator.hold(conf, alice))  # ... after a newer one
    await console.wait_for(
        lambda: (p := console.roster.pending(conf, alice)) is not None and p.kind is ActionKind.HOLD
    )
    assert not (await first).ok
    mark = console.roster.pending(conf, alice)  # the failed mute did not roll back the hold
    assert mark is not None and mark.kind is ActionKind.HOLD
    assert (await second).ok
    console.sim.faults.latency = 0.0
    await console.wait_for(lambda: console.roster.pending(conf, alice) is None)
    assert console.roster.participant(conf, alice).hold  # type: ignore[union-attr]


def test_the_confirmation_rule_has_a_name() -> None:
    assert CONFIRM_GRACE == 3.0
    assert Moderator.__init__.__kwdefaults__["confirm_grace"] == CONFIRM_GRACE  # type: ignore[index]
