"""What a simulated caller heard and keyed: GET /_sim/calls/{CallSid}, the sim-only record."""

from __future__ import annotations

from typing import Any

import aiohttp


async def call_record(sim_base_url: str, call_sid: str) -> dict[str, Any]:
    """The Call plus `heard`, `keyed` and `conference` (where the call is now)."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sim_base_url}/_sim/calls/{call_sid}") as response,
    ):
        assert response.status == 200, await response.text()
        return dict(await response.json())


def said(record: dict[str, Any]) -> list[str]:
    """The Say texts the caller heard, in order."""
    return [entry["text"] for entry in record["heard"] if entry["kind"] == "say"]
