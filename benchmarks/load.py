"""The load generator: signed callbacks POSTed over keep-alive connections, closed or open loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp

from benchmarks.callbacks import Signed

SIGNATURE_HEADER = "X-Twilio-Signature"
OnSend = Callable[[dict[str, str]], None]


async def _post(
    session: aiohttp.ClientSession,
    url: str,
    fields: dict[str, str],
    signature: str,
    statuses: dict[int, int],
    on_send: OnSend | None,
) -> None:
    """One signed callback, its answer read and counted by status."""
    if on_send is not None:
        on_send(fields)
    async with session.post(url, data=fields, headers={SIGNATURE_HEADER: signature}) as answer:
        await answer.read()
        _tally(statuses, answer.status)


def _tally(statuses: dict[int, int], status: int) -> None:
    statuses[status] = statuses.get(status, 0) + 1


async def blast(
    url: str, signed: Sequence[Signed], concurrency: int, on_send: OnSend | None = None
) -> dict[str, Any]:
    """Closed loop: `concurrency` workers, each sends its next callback once answered."""
    pending = iter(signed)
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for fields, signature in pending:
                await _post(session, url, fields, signature, statuses, on_send)

        first = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        last = time.monotonic()
    elapsed = last - first
    return {
        "count": len(signed),
        "seconds": round(elapsed, 3),
        "per_second": round(len(signed) / elapsed, 1),
        "window": [first, last],  # time.monotonic(): the same clock in every process here
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


async def paced(
    url: str,
    signed: Sequence[Signed],
    rate: float,
    *,
    max_in_flight: int = 64,
    on_send: OnSend | None = None,
) -> dict[str, Any]:
    """Open loop: callback i leaves at start + i/rate (as Twilio sends, whatever we answer)."""
    statuses: dict[int, int] = {}
    gate = asyncio.Semaphore(max_in_flight)
    connector = aiohttp.TCPConnector(limit=max_in_flight)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(fields: dict[str, str], signature: str) -> None:
            async with gate:
                await _post(session, url, fields, signature, statuses, on_send)

        loop = asyncio.get_running_loop()
        started = loop.time()
        first = time.monotonic()
        tasks = []
        for i, (fields, signature) in enumerate(signed):
            delay = started + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(fields, signature)))
        await asyncio.gather(*tasks)
        last = time.monotonic()
    return {
        "count": len(signed),
        "rate_asked": rate,
        "rate_sent": round(len(signed) / max(last - first, 1e-9), 1),
        "window": [first, last],  # time.monotonic(): the same clock in every process here
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }
