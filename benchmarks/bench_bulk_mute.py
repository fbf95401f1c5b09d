"""Bulk mute of 249 participants with 50 ms REST latency: concurrency 1 against the default."""

from __future__ import annotations

import asyncio
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from moderator.core import CoreConfig, open_core
from moderator.settings import Settings
from moderator.sim import Faults, Simulator

GUESTS = 249
LATENCY = 0.05


async def run(concurrency: int, data_dir: Path) -> dict[str, Any]:
    """One bulk mute against a fresh simulator and console; returns the measurements."""
    sim = Simulator(seed=1, speed=100.0, faults=Faults())
    config = CoreConfig(
        data_dir=data_dir / f"console-{concurrency}",
        settings=Settings(rest_concurrency=concurrency),
        simulator=sim,
        control_options={"fetch_numbers": False},
    )
    async with open_core(config) as core:
        moderator, roster = core.control, core.roster
        if moderator.startup is not None:
            await moderator.startup
        server = core.server
        conf = sim.create_conference("Bench", status_callback=server.callback_url)
        await sim.join(conf, label="Presenter", end_conference_on_exit=True)
        for i in range(GUESTS):
            await sim.join(conf, label=f"Guest {i:03d}", start_conference_on_enter=False)
        await sim.drain()
        for _ in range(1000):  # the join callbacks are journaled and folded in by now
            if len(roster.participants(conf, present_only=True)) == GUESTS + 1:
                break
            await asyncio.sleep(0.01)
        sim.stats.reset()
        sim.faults.latency = LATENCY
        started = time.perf_counter()
        result = await moderator.mute_all(conf)
        wall = time.perf_counter() - started
        sim.faults.latency = 0.0
        peak = sim.stats.rest_peak_in_flight
        ideal_trips = math.ceil(GUESTS / concurrency)
        return {
            "concurrency": concurrency,
            "attempted": result.attempted,
            "failed": len(result.failed),
            "wall_s": round(wall, 3),
            "requests": sim.stats.rest_requests["POST"],
            "peak_in_flight": peak,
            "round_trips": math.ceil(sim.stats.rest_requests["POST"] / max(peak, 1)),
            "ideal_round_trips": ideal_trips,
            "ideal_s": round(ideal_trips * LATENCY, 3),
            "ratio_to_ideal": round(wall / (ideal_trips * LATENCY), 2),
        }


async def main() -> None:
    default = Settings().rest_concurrency
    with tempfile.TemporaryDirectory() as tmp:
        runs = [await run(c, Path(tmp)) for c in (1, default)]
    json.dump({"guests": GUESTS, "latency_s": LATENCY, "runs": runs}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    asyncio.run(main())
