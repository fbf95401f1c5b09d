"""Ingest with the window live: the real console against bare aiohttp, alternating rounds.

Each console round is one meeting (250 people join, each guest is muted, speaks and stops, the
conference ends: 1,001 callbacks) sent at concurrency 16 from this process; the REST stand-in
answers the console's REST calls (caller numbers, reconciles) from what has been sent. Each bare
round sends the same forms to aiohttp answering 204 in a process of its own.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from benchmarks.callbacks import Meeting, sign
from benchmarks.load import blast
from benchmarks.processes import BareServer, Console
from benchmarks.stats import median
from benchmarks.twilio_stub import TwilioStub
from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH

CONCURRENCY = 16


async def measure(
    tmp: Path, rounds: int, people: int = 250, concurrency: int = CONCURRENCY
) -> dict[str, Any]:
    stub = TwilioStub()
    await stub.start()
    console = Console(tmp / "ingest-home", tmp / "ingest-data", api_url=stub.url)
    bare = BareServer()
    try:
        url = console.wait_listening() + CONFERENCE_EVENTS_PATH
        await asyncio.sleep(1.0)  # the window settles, start-up reconcile done
        rss_idle = console.rss_mb()
        bare_url = bare.url + CONFERENCE_EVENTS_PATH
        warm = Meeting(900, people=min(people, 20)).meeting()
        await blast(url, sign(url, warm), concurrency, stub.world.follow)
        await blast(bare_url, sign(bare_url, warm), concurrency)
        runs: dict[str, list[dict[str, Any]]] = {"console": [], "bare": []}
        for n in range(1, rounds + 1):
            forms = Meeting(n, people=people).meeting()
            runs["console"].append(
                await blast(url, sign(url, forms), concurrency, stub.world.follow)
            )
            runs["bare"].append(await blast(bare_url, sign(bare_url, forms), concurrency))
        rss_after = console.rss_mb()
    finally:
        bare.stop()
        exit_code = console.stop()
        await stub.stop()
    ratios = [
        c["per_second"] / b["per_second"]
        for c, b in zip(runs["console"], runs["bare"], strict=True)
    ]
    return {
        "concurrency": concurrency,
        "callbacks_per_round": runs["console"][0]["count"],
        "rounds": rounds,
        "console_per_s": round(median([r["per_second"] for r in runs["console"]]), 1),
        "bare_per_s": round(median([r["per_second"] for r in runs["bare"]]), 1),
        "ratio": round(median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "console_statuses": runs["console"][-1]["statuses"],
        "rest_requests": dict(sorted(stub.requests.items())),
        "rss_idle_mb": rss_idle,
        "rss_after_mb": rss_after,
        "console_exit_code": exit_code,
        "goal": "ratio >= 0.5 (never below 0.3)",
    }
