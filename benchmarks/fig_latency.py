"""Latency as the host feels it, inside the real console (benchmarks.probe) with history behind it.

Phases, each a window on the shared monotonic clock:
  steady  a 30-person meeting, one callback at a time (50/s): callback → tile repainted
  joins   a 250-person meeting joining at concurrency 16: longest event-loop stall, clicks
  burst   that meeting's activity sent at 1,000/s: callback → tile repainted, repaints/s, clicks
then the console's RSS (a live 250-person conference and the history it started with).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from benchmarks.callbacks import Meeting, sign
from benchmarks.load import blast, paced
from benchmarks.processes import Console
from benchmarks.stats import latency_summary, ms, peak_rate, within
from benchmarks.twilio_stub import TwilioStub
from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH

STEADY_RATE = 50.0
BURST_RATE = 1000.0


def _clicks(
    probe: dict[str, Any], updates: list[tuple[str, float]], window: list[float]
) -> dict[str, Any]:
    """Posted key press → the mute's arrival at the REST stand-in, for clicks inside `window`."""
    arrivals: dict[str, list[float]] = {}
    for call_sid, when in updates:
        arrivals.setdefault(call_sid, []).append(when)
    seconds: list[float] = []
    lost = 0
    for call_sid, clicked in probe["clicks"]:
        if not window[0] <= clicked <= window[1]:
            continue
        later = [t for t in arrivals.get(call_sid, []) if t >= clicked]
        if later:
            seconds.append(min(later) - clicked)
        else:
            lost += 1
    return {**latency_summary(seconds), "not_arrived": lost}


async def measure(tmp: Path, history_dir: Path | None, burst_callbacks: int) -> dict[str, Any]:
    stub = TwilioStub()
    await stub.start()
    probe_out = tmp / "probe.json"
    data_dir = history_dir or tmp / "latency-data"
    console = Console(
        tmp / "latency-home", data_dir, api_url=stub.url, probe_out=probe_out,
        extra_env={"BENCH_CLICKS": "1"},
    )  # fmt: skip
    follow = stub.world.follow
    try:
        url = console.wait_listening(timeout=180) + CONFERENCE_EVENTS_PATH
        await asyncio.sleep(1.0)
        small = Meeting(1, people=min(30, burst_callbacks // 4))
        # joins and activity, then speech (5 s at 50/s) on tiles in view: enough samples for
        # a p99 that is not just the maximum of 27
        opening = small.joins() + small.activity()
        speech = list(small.speech(burst_callbacks // 4, len(opening) + 1, 12))
        steady_forms = [*opening, *speech, small.end(len(opening) + len(speech) + 1)]
        steady = await paced(url, sign(url, steady_forms), STEADY_RATE, on_send=follow)
        big = Meeting(2, people=max(12, min(250, burst_callbacks // 4)))
        joins = await blast(url, sign(url, big.joins()), 16, follow)
        joins_window = joins["window"]
        activity = big.activity()
        extra = burst_callbacks - len(activity)
        if extra > 0:
            activity += list(big.speech(extra, big.people + 1 + len(activity)))
        burst = await paced(url, sign(url, activity[:burst_callbacks]), BURST_RATE, on_send=follow)
        await asyncio.sleep(0.5)  # the last repaints
        rss = console.rss_mb()
    finally:
        exit_code = console.stop(timeout=120)
        await stub.stop()
    probe = json.loads(probe_out.read_text())
    tiles = probe["tile_latency"]
    gc_pauses = [took for when, took, _gen in probe["gc_pauses"] if when >= steady["window"][0]]
    return {
        "steady": {
            "rate_per_s": steady["rate_sent"],
            "tile_repaint": latency_summary(within(tiles, steady["window"])),
            "goal": "p99 < 20 ms",
        },
        "burst_1000": {
            "rate_per_s": burst["rate_sent"],
            "callbacks": burst["count"],
            "tile_repaint": latency_summary(within(tiles, burst["window"])),
            "grid_repaints_per_s_peak": peak_rate(probe["paints"], burst["window"]),
            "click_to_rest": _clicks(probe, stub.updates, burst["window"]),
            "statuses": burst["statuses"],
            "goal": "p99 < 100 ms; repaints <= 60/s",
        },
        "join_burst_250": {
            "rate_per_s": joins["per_second"],
            "longest_stall_ms": ms(max(within(probe["stalls"], joins_window), default=0.0)),
            "click_to_rest": _clicks(probe, stub.updates, joins_window),
            "goal": "stall < 50 ms; click p99 < 30 ms",
        },
        "longest_gc_pause_ms": ms(max(gc_pauses, default=0.0)),
        "rss_live_250_mb": rss,
        "console_exit_code": exit_code,
    }
