"""The REST concurrency window: AIMD on Twilio's 429, FIFO, and the bulk at Twilio's limit."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

from moderator.control.limiter import AdaptiveLimit
from moderator.settings import Settings
from moderator.sim import Simulator
from tests.control.conftest import close_console, make_settings, meeting, open_console


async def test_window_halves_on_429_once_per_round_trip_and_grows_back() -> None:
    limit = AdaptiveLimit(40)
    started = [await limit.acquire() for _ in range(40)]
    for when in started:  # a whole window answered 429: one overload, one cut
        limit.throttled_at(when)
        limit.release()
    assert limit.allowed == 20 and limit.throttled == 40
    later = await limit.acquire()
    limit.throttled_at(later)  # sent after the cut and still refused: cut again
    limit.release()
    assert limit.allowed == 10
    for _ in range(1000):  # good answers: about one more per window's worth
        await limit.acquire()
        limit.succeeded()
        limit.release()
    assert limit.allowed == 40  # never above the ceiling


async def test_waiters_are_served_in_order_and_never_beyond_the_window() -> None:
    limit = AdaptiveLimit(2)
    order: list[int] = []
    peak = 0

    async def request(n: int) -> None:
        nonlocal peak
        await limit.acquire()
        peak = max(peak, limit.in_flight)
        order.append(n)
        await asyncio.sleep(0.001)
        limit.succeeded()
        limit.release()

    await asyncio.gather(*(request(n) for n in range(10)))
    assert order == list(range(10)) and peak == 2 and limit.in_flight == 0


async def test_a_cancelled_waiter_gives_its_turn_on() -> None:
    limit = AdaptiveLimit(1)
    await limit.acquire()
    first = asyncio.ensure_future(limit.acquire())
    second = asyncio.ensure_future(limit.acquire())
    await asyncio.sleep(0)
    first.cancel()
    limit.release()
    await asyncio.wait_for(second, 1)
    assert limit.in_flight == 1


def test_default_concurrency_is_below_twilios_account_limit_and_fast_enough() -> None:
    concurrency = Settings().rest_concurrency
    assert concurrency < 100  # Twilio's default per-account REST concurrency
    assert math.ceil(249 / concurrency) * 0.2 <= 1.5  # mute 249 at 200 ms in 1.5 s


async def test_bulk_backs_off_when_twilio_limits_concurrency(tmp_path: Path) -> None:
    sim = Simulator(seed=5, speed=50.0)
    await sim.start()
    console = await open_console(
        sim, tmp_path, settings=make_settings(rest_concurrency=40, rest_timeout=15.0),
        fetch_numbers=False, confirm_grace=30.0,
    )  # fmt: skip
    try:
        conf, _ = await meeting(console, *[f"Guest {i:03d}" for i in range(1, 121)])
        sim.stats.reset()
        sim.faults.latency = 0.05
        sim.faults.concurrency_limit = 10  # an account limit below the console's ceiling
        result = await console.moderator.mute_all(conf)
        assert (result.attempted, result.failed) == (120, ())
        limit = console.moderator.rest.limit
        assert limit.throttled > 0  # Twilio said 429 ...
        assert limit.allowed < 40  # ... and the window shrank instead of hammering on
        assert sim.stats.rest_requests["POST"] < 120 + 60  # few requests were refused
    finally:
        sim.faults.concurrency_limit = 100
        await close_console(console)
        await sim.stop()
