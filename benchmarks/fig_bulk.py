"""Mute everyone but the presenter at Twilio's latency (200 ms a request), against the simulator.

The console's default against one request at a time and against the ideal (every request in
one round trip; and ceil(249 / concurrency) round trips at the default), in the same run.
Sequential is measured on the first `sequential_people` guests and scaled to 249 in quick mode.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from moderator.core import CoreConfig, open_core
from moderator.settings import Settings
from moderator.sim import Faults, Simulator

GUESTS = 249
LATENCY = 0.2


async def mute_all(
    data_dir: Path, settings: Settings, guests: int, latency: float
) -> dict[str, Any]:
    sim = Simulator(seed=1, speed=100.0, faults=Faults())
    config = CoreConfig(
        data_dir=data_dir, settings=settings, simulator=sim,
        control_options={"fetch_numbers": False},
    )  # fmt: skip
    async with open_core(config) as core:
        moderator, roster = core.control, core.roster
        if moderator.startup is not None:
            await moderator.startup
        conf = sim.create_conference("Bench", status_callback=core.server.callback_url)
        await sim.join(conf, label="Presenter", end_conference_on_exit=True)
        for i in range(guests):
            await sim.join(conf, label=f"Guest {i:03d}", start_conference_on_enter=False)
        await sim.drain()
        for _ in range(2000):  # the join callbacks are journaled and folded in by now
            if len(roster.participants(conf, present_only=True)) == guests + 1:
                break
            await asyncio.sleep(0.01)
        sim.stats.reset()
        sim.faults.latency = latency
        started = time.perf_counter()
        result = await moderator.mute_all(conf)
        wall = time.perf_counter() - started
        sim.faults.latency = 0.0
        return {
            "wall_s": round(wall, 3),
            "attempted": result.attempted,
            "failed": len(result.failed),
            "peak_in_flight": sim.stats.rest_peak_in_flight,
        }


async def measure(
    tmp: Path, guests: int = GUESTS, latency: float = LATENCY, sequential_people: int = GUESTS
) -> dict[str, Any]:
    default = Settings()
    concurrency = default.bulk_concurrency
    best = await mute_all(tmp / "bulk-default", default, guests, latency)
    one = await mute_all(
        tmp / "bulk-sequential", replace(default, bulk_concurrency=1), sequential_people, latency
    )
    sequential = one["wall_s"] * guests / max(one["attempted"], 1)
    return {
        "guests": guests,
        "rest_latency_s": latency,
        "concurrency": concurrency,
        "default": best,
        "sequential_s": round(sequential, 2),
        "sequential_measured_guests": one["attempted"],
        "ideal_at_concurrency_s": round(math.ceil(guests / concurrency) * latency, 3),
        "ideal_s": latency,
        "goal": "default wall_s <= 1.5",
    }
