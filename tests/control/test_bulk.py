"""Bulk mute/unmute: bounded concurrency, the presenter spared, partial failures named."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

from moderator.sim import Simulator

from .conftest import Console, close_console, make_settings, meeting, open_console

CONCURRENCY = 12
GUESTS = 249


async def test_mute_all_249_with_latency_runs_bounded_and_parallel(
    sim: Simulator, tmp_path: Path
) -> None:
    console = await open_console(
        sim,
        tmp_path,
        # a REST timeout no loaded 2-core runner reaches: the simulator, the webhook server
        # and the journal share this one loop with the 249 POSTs, so an answer can wait behind
        # hundreds of callbacks (15 s was not enough); what is checked is the bound, not speed
        settings=make_settings(rest_concurrency=CONCURRENCY, rest_timeout=120.0),
        fetch_numbers=False,
        # no reconcile while the bulk runs: on a loaded machine a mute confirmed after the
        # 0.5 s grace starts one, and its GETs would count towards the peak in flight
        confirm_grace=600.0,
    )
    try:
        guests = [f"Guest {i:03d}" for i in range(1, GUESTS + 1)]
        conf, sids = await meeting(console, *guests, timeout=120.0)
        sim.stats.reset()
        sim.faults.latency = 0.05

        result = await console.moderator.mute_all(conf)

        assert (result.attempted, result.failed) == (GUESTS, ())
        assert sim.stats.rest_requests["POST"] == GUESTS
        # exactly `concurrency` requests in flight at the peak: ceil(249/12) = 21 round trips,
        # not 249 (one by one) and never more than the setting allows
        assert sim.stats.rest_peak_in_flight == CONCURRENCY
        assert math.ceil(GUESTS / sim.stats.rest_peak_in_flight) == 21
        sim.faults.latency = 0.0
        await sim.drain()
        await console.wait_for(
            lambda: all(
                p.muted and p.pending is None
                for p in console.roster.participants(conf, present_only=True)
                if p.call_sid != sids["Mary"]
            ),
            timeout=120.0,
        )
        assert not console.roster.participant(conf, sids["Mary"]).muted  # type: ignore[union-attr]
        actions = console.journal.actions(conf)
        assert len(actions) == GUESTS and all(a.ok and a.confirmed for a in actions)
        assert console.messages[-1] == ("info", f"Muted {GUESTS} of {GUESTS} in TeamMeeting")
    finally:
        await close_console(console)


async def test_all_tiles_turn_pending_before_any_answer(console: Console) -> None:
    conf, _ = await meeting(console, "Alice", "Bob", "Charles")
    console.sim.faults.latency = 0.05
    pending_seen: list[int] = []

    def count(_: object) -> None:
        pending_seen.append(
            sum(1 for p in console.roster.participants(conf) if p.pending is not None)
        )

    console.roster.changed.connect(count)
    await console.moderator.mute_all(conf)
    console.sim.faults.latency = 0.0
    assert max(pending_seen) == 3


async def test_mute_all_including_presenter_and_unmute_all(console: Console) -> None:
    conf, _ = await meeting(console, "Alice", "Bob")
    result = await console.moderator.mute_all(conf, except_presenter=False)
    assert result.attempted == 3
    await console.sim.drain()
    await console.wait_for(
        lambda: all(p.muted and not p.pending for p in console.roster.participants(conf))
    )
    again = await console.moderator.mute_all(conf, except_presenter=False)
    assert again.attempted == 0  # everyone already muted: nothing to send
    result = await console.moderator.unmute_all(conf)
    assert (result.attempted, result.failed) == (3, ())
    await console.sim.drain()
    await console.wait_for(
        lambda: all(not p.muted and not p.pending for p in console.roster.participants(conf))
    )


async def test_presenter_chosen_by_the_host_is_spared(console: Console) -> None:
    conf, sids = await meeting(console, "Alice", "Bob")
    console.roster.choose_presenter(conf, sids["Alice"])
    result = await console.moderator.mute_all(conf)
    assert result.attempted == 2
    await console.sim.drain()
    muted = {p.label for p in console.roster.participants(conf) if p.muted or p.pending}
    await console.wait_for(lambda: console.sim.participant(conf, sids["Bob"]).muted)  # type: ignore[union-attr]
    assert muted == {"Mary", "Bob"}


async def test_partial_failure_names_who_failed(console: Console) -> None:
    conf, sids = await meeting(console, "Alice", "Bob", "Charles")
    console.sim.faults.drop = 1.0  # Bob and Charles leave, the console does not hear of it
    await console.sim.leave(conf, sids["Bob"])
    await console.sim.leave(conf, sids["Charles"])
    await console.sim.drain()
    console.sim.faults.drop = 0.0

    result = await console.moderator.mute_all(conf)

    assert result.attempted == 3
    assert result.failed == (
        ("Bob", "Could not mute Bob: Twilio says the participant has left (20404)"),
        ("Charles", "Could not mute Charles: Twilio says the participant has left (20404)"),
    )
    level, text = console.messages[-1]
    assert level == "error"
    assert text.startswith("Muted 1 of 3 in TeamMeeting; 2 failed: Bob (Twilio says")
    assert len([m for m in console.messages if m[0] == "error"]) == 1  # one summary, not one each
    await console.moderator.settle()  # the 404s asked for a reconcile: Bob and Charles are gone
    present = {p.label for p in console.roster.participants(conf, present_only=True)}
    assert present == {"Mary", "Alice"}


async def test_cancelled_bulk_leaves_no_tile_pending(sim: Simulator, tmp_path: Path) -> None:
    # e.g. the host switches auto-mute off while it runs: tiles not yet sent roll back too
    console = await open_console(
        sim, tmp_path, settings=make_settings(rest_concurrency=2), fetch_numbers=False
    )
    try:
        conf, _ = await meeting(console, *[f"Guest {i}" for i in range(8)])
        sim.faults.latency = 0.2
        task = asyncio.ensure_future(console.moderator.mute_all(conf))
        await console.wait_for(lambda: sim.stats.rest_in_flight == 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert [p.label for p in console.roster.participants(conf) if p.pending] == []
        actions = console.journal.actions(conf)
        assert len(actions) == 8 and not any(a.ok for a in actions)
        sim.faults.latency = 0.0
        await sim.drain()
    finally:
        await close_console(console)
