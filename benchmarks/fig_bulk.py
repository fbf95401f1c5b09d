"""Mute everyone but the presenter at Twilio's latency (200 ms a request).

The console's core (journal, roster, server, control) runs here; Twilio's REST API is the
stand-in in a process of its own (answers after 200 ms, like Twilio's across the internet),
its meeting already joined. The default concurrency is measured against one request at a time
and against the ideal (every request in one round trip; ceil(249 / concurrency) round trips at
the default), in the same run. Sequential is measured on the first `sequential_people` guests
and scaled to all of them.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.callbacks import ACCOUNT_SID, AUTH_TOKEN, START, Meeting
from benchmarks.processes import ROOT
from moderator.core import CoreConfig, open_core
from moderator.credentials import Credentials
from moderator.domain.events import parse_callback
from moderator.settings import Settings

GUESTS = 249
LATENCY = 0.2


async def _ask(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        body: dict[str, Any] = await answer.json()
        return body


async def mute_all(
    data_dir: Path, settings: Settings, rest_url: str, meeting: Meeting
) -> dict[str, Any]:
    config = CoreConfig(
        data_dir=data_dir, settings=settings, api_base_url=rest_url,
        credentials=Credentials(ACCOUNT_SID, AUTH_TOKEN),
        control_options={"fetch_numbers": False},
    )  # fmt: skip
    async with open_core(config) as core:
        if core.control.startup is not None:
            await core.control.startup
        for form in meeting.joins():  # the meeting as its callbacks left it
            core.roster.apply(parse_callback(form, START))
        await _ask(rest_url + "/_stub/reset")
        started = time.perf_counter()
        result = await core.control.mute_all(meeting.sid)
        wall = time.perf_counter() - started
        stub = await _ask(rest_url + "/_stub/counts")
    return {
        "wall_s": round(wall, 3),
        "attempted": result.attempted,
        "failed": len(result.failed),
        "peak_in_flight": stub["peak_in_flight"],
    }


def _stand_in(latency: float, meeting: Meeting) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.twilio_stub", "--rest", "--latency", str(latency),
         "--meeting", str(meeting.number), "--people", str(meeting.people)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    return process, str(json.loads(process.stdout.readline())["url"])


async def measure(
    tmp: Path, guests: int = GUESTS, latency: float = LATENCY, sequential_people: int = GUESTS
) -> dict[str, Any]:
    default = Settings()
    concurrency = default.rest_concurrency
    meeting = Meeting(7, people=guests + 1)
    process, url = _stand_in(latency, meeting)
    try:
        best = await mute_all(tmp / "bulk-default", default, url, meeting)
        few = Meeting(8, people=sequential_people + 1)
        process_few, url_few = _stand_in(latency, few)
        try:
            one = await mute_all(
                tmp / "bulk-sequential", replace(default, rest_concurrency=1), url_few, few
            )
        finally:
            process_few.terminate()
            process_few.wait(10)
    finally:
        process.terminate()
        process.wait(10)
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
