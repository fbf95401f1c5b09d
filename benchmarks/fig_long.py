"""A long meeting, compressed in time: 4 hours, 250 people, 20 speech events a second.

The real console (benchmarks.probe) takes the meeting's 250 joins, then callback → tile is
measured at 50/s at the start; the meeting's speech callbacks (4 h x 20/s = 288,000) are sent
as fast as the console takes them (concurrency 16, in chunks signed as they go); then callback
→ tile is measured again at the end. RSS before and after tells what the meeting left behind.
`--quick` sends a tenth of the meeting (28,800 callbacks, 24 minutes of it).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.callbacks import Meeting, sign
from benchmarks.load import blast, paced
from benchmarks.processes import Console
from benchmarks.stats import latency_summary, within
from benchmarks.twilio_stub import TwilioStub
from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH

PEOPLE = 250
SPEECH_PER_S = 20
MEETING_S = 4 * 3600
PROBE = 250  # callbacks at 50/s at the start and at the end (5 s each)
SHOWN = 12  # the probe's speakers: tiles in view (a tile out of view is not repainted)
CHUNK = 8000


async def measure(tmp: Path, callbacks: int) -> dict[str, Any]:
    stub = TwilioStub()
    await stub.start()
    probe_out = tmp / "probe.json"
    console = Console(tmp / "long-home", tmp / "long-data", api_url=stub.url, probe_out=probe_out)
    meeting = Meeting(3, people=PEOPLE)
    try:
        url = console.wait_listening(timeout=180) + CONFERENCE_EVENTS_PATH
        await asyncio.sleep(1.0)
        await blast(url, sign(url, meeting.joins()), 16, stub.world.follow)
        sequence = PEOPLE + 2
        await asyncio.sleep(0.5)
        rss_start = console.rss_mb()
        start = await paced(url, sign(url, list(meeting.speech(PROBE, sequence, SHOWN))), 50.0)
        sequence += PROBE
        began = time.perf_counter()
        sent = 0
        statuses: dict[str, int] = {}
        rss_along: list[tuple[int, float | None]] = [(0, rss_start)]
        while sent < callbacks:
            count = min(CHUNK, callbacks - sent)
            chunk = await blast(url, sign(url, list(meeting.speech(count, sequence))), 16)
            for status, seen in chunk["statuses"].items():
                statuses[status] = statuses.get(status, 0) + seen
            sequence += count
            sent += count
            rss_along.append((sent, console.rss_mb()))  # bounded: flat after the first chunks
        took = time.perf_counter() - began
        await asyncio.sleep(0.5)
        end = await paced(url, sign(url, list(meeting.speech(PROBE, sequence, SHOWN))), 50.0)
        await asyncio.sleep(0.5)
        rss_end = console.rss_mb()
    finally:
        exit_code = console.stop(timeout=120)
        await stub.stop()
    tiles = json.loads(probe_out.read_text())["tile_latency"]
    grew = round(rss_end - rss_start, 1) if rss_end is not None and rss_start else None
    return {
        "people": PEOPLE,
        "speech_callbacks": callbacks,
        "meeting_minutes": round(callbacks / SPEECH_PER_S / 60, 1),
        "sent_per_s": round(callbacks / took, 1),
        "statuses": statuses,
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "rss_growth_mb": grew,
        "rss_mb_by_callbacks_sent": _some(rss_along, 12),
        "tile_repaint_start": latency_summary(within(tiles, start["window"])),
        "tile_repaint_end": latency_summary(within(tiles, end["window"])),
        "console_exit_code": exit_code,
        "goal": "RSS growth bounded; tile p99 at the end as at the start (< 20 ms)",
    }


def _some(samples: list[tuple[int, float | None]], most: int) -> list[tuple[int, float | None]]:
    """About `most` of the samples, evenly spaced, the last always among them."""
    picked = samples[:: max(1, len(samples) // most)]
    return picked if picked[-1] == samples[-1] else [*picked, samples[-1]]
