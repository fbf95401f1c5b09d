"""Reconcile: after a restart, on demand, and on a SequenceNumber gap; REST state wins."""

from __future__ import annotations

import asyncio
from pathlib import Path

from moderator.sim import Simulator
from moderator.store.journal import Journal
from moderator.store.report import rebuild_roster

from .conftest import Console, close_console, meeting, open_console


async def test_restart_merges_what_happened_while_the_console_was_down(
    sim: Simulator, tmp_path: Path
) -> None:
    first = await open_console(sim, tmp_path)
    conf, sids = await meeting(first, "Alice", "Bob")
    other = sim.create_conference("Standup", status_callback=first.server.callback_url)
    await sim.join(other, label="Zed")
    await sim.join(other, label="Yan")
    await sim.drain()
    await first.wait_for(lambda: len(first.roster.participants(other, present_only=True)) == 2)
    port = first.server.port
    await close_console(first)

    # while the console is closed: Bob leaves, Dave joins, Alice is muted, Standup ends
    await sim.leave(conf, sids["Bob"])
    dave = await sim.join(conf, label="Dave", start_conference_on_enter=False)
    await sim.set_muted(conf, sids["Alice"], True)
    await sim.end_conference(other)
    await sim.drain()

    journal = Journal(tmp_path / "journal.sqlite3")
    roster = rebuild_roster(journal)
    journal.close()
    assert roster.participant(conf, sids["Bob"]).present  # type: ignore[union-attr]
    second = await open_console(sim, tmp_path, roster=roster, port=port)
    try:
        present = {p.label for p in second.roster.participants(conf, present_only=True)}
        assert present == {"Mary", "Alice", "Dave"}
        bob = second.roster.participant(conf, sids["Bob"])
        assert bob is not None and not bob.present
        assert bob.leave_reason == "left-while-console-closed"
        assert second.roster.participant(conf, sids["Alice"]).muted  # type: ignore[union-attr]
        assert second.roster.participant(conf, dave).label == "Dave"  # type: ignore[union-attr]
        assert second.roster.conference(other).status == "completed"  # type: ignore[union-attr]
        assert not any(p.present for p in second.roster.participants(other))
        snapshots = list(second.journal.snapshots())
        assert {s.conference_sid for s in snapshots} == {conf, other}
        # the journal alone now rebuilds the same picture (`moderator report` sees it)
        again = rebuild_roster(second.journal)
        assert {p.label for p in again.participants(conf, present_only=True)} == present
        # callbacks after the restart reach the console on the same port: all consistent
        await sim.set_muted(conf, dave, True)
        await sim.drain()
        await second.wait_for(lambda: second.roster.participant(conf, dave).muted)  # type: ignore[union-attr]
    finally:
        await close_console(second)


async def test_sequence_gap_triggers_a_debounced_reconcile(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    runs = console.moderator.reconciler.runs
    console.sim.faults.drop = 1.0
    eve = await console.sim.join(conf, label="Eve", start_conference_on_enter=False)
    await console.sim.drain()
    console.sim.faults.drop = 0.0
    assert console.roster.participant(conf, eve) is None
    # two callbacks after the gap: one reconcile, not two
    await console.sim.set_muted(conf, sids["Alice"], True)
    await console.sim.set_muted(conf, sids["Alice"], False)
    await console.sim.drain()
    await console.wait_for(lambda: console.roster.participant(conf, eve) is not None)
    await console.moderator.settle()
    assert console.moderator.reconciler.runs == runs + 1
    assert console.roster.participant(conf, eve).present  # type: ignore[union-attr]


async def test_reconcile_on_demand_one_conference(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    console.sim.faults.drop = 1.0
    await console.sim.set_hold(conf, sids["Alice"], True)
    await console.sim.drain()
    console.sim.faults.drop = 0.0
    assert not console.roster.participant(conf, sids["Alice"]).hold  # type: ignore[union-attr]
    await console.moderator.reconcile(conf)
    assert console.roster.participant(conf, sids["Alice"]).hold  # type: ignore[union-attr]
    assert console.errors == []


async def test_reconcile_marks_a_conference_twilio_forgot_completed(console: Console) -> None:
    conf, _ = await meeting(console, "Alice")
    console.sim.faults.drop = 1.0
    await console.sim.end_conference(conf)
    await console.sim.drain()
    console.sim.faults.drop = 0.0
    assert console.roster.conference(conf).status == "in-progress"  # type: ignore[union-attr]
    await console.moderator.reconcile()
    assert console.roster.conference(conf).status == "completed"  # type: ignore[union-attr]
    assert console.roster.participants(conf, present_only=True) == []


async def test_gap_seen_while_a_reconcile_runs_gets_its_own_run(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    moderator = console.moderator
    real_run = moderator.reconciler.run
    listed = asyncio.Event()
    release = asyncio.Event()

    async def slow_run(conf_sid: str | None = None) -> list[str]:
        done = await real_run(conf_sid)  # Twilio has been asked: later changes are unseen
        listed.set()
        await release.wait()
        return done

    moderator.reconciler.run = slow_run  # type: ignore[method-assign]
    moderator.request_reconcile(conf, delay=0.0)
    await listed.wait()
    # meanwhile a callback is lost and the next one shows the gap
    console.sim.faults.drop = 1.0
    await console.sim.set_hold(conf, sids["Alice"], True)
    await console.sim.drain()
    console.sim.faults.drop = 0.0
    moderator.request_reconcile(conf, delay=0.0)
    release.set()
    await moderator.settle()
    assert console.roster.participant(conf, sids["Alice"]).hold  # type: ignore[union-attr]
