"""Fault injection: REST latency, 429, 5xx, and dropped/duplicated/reordered/failed callbacks."""

from __future__ import annotations

import asyncio
import socket
import time

import aiohttp
import pytest
from twilio.rest import Client

from moderator.sim import Faults, Simulator
from moderator.sim.callbacks import WebhookRetryPolicy, connection_overrides

from .helpers import Receiver, async_client_for, make_sim


def test_parse_faults() -> None:
    faults = Faults.parse(
        [
            "latency=0.05",
            "rate-limit=0.1",
            "retry-after=2",
            "server-error=0.2",
            "drop=0.3",
            "duplicate=0.1",
            "reorder=0.25",
            "reorder-delay=1.5",
            "target-down=0.5",
        ]
    )
    assert faults == Faults(
        latency=0.05,
        rate_limit=0.1,
        retry_after=2,
        server_error=0.2,
        drop=0.3,
        duplicate=0.1,
        reorder=0.25,
        reorder_delay=1.5,
        target_down=0.5,
    )
    assert Faults.parse([]) == Faults()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("latency", "NAME=VALUE"),
        ("speed=1", "unknown fault"),
        ("drop=lots", "needs a number"),
        ("drop=1.5", "between 0 and 1"),
        ("latency=-1", ">= 0"),
        ("latency=nan", ">= 0"),
    ],
)
def test_parse_rejects_bad_faults(item: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        Faults.parse([item])
    assert "\n" not in str(info.value)


async def _statuses(sim: Simulator, n: int) -> list[tuple[int, str | None, int]]:
    """Status, Retry-After and error code of n sequential GETs."""
    url = f"{sim.base_url}/2010-04-01/Accounts/{sim.account_sid}/Conferences.json"
    auth = {"Authorization": aiohttp.encode_basic_auth(sim.account_sid, sim.auth_token)}
    out = []
    async with aiohttp.ClientSession(headers=auth) as http:
        for _ in range(n):
            async with http.get(url) as resp:
                body = await resp.json()
                code = body.get("code", 0) if resp.status != 200 else 0
                out.append((resp.status, resp.headers.get("Retry-After"), code))
    return out


async def test_latency_and_peak_in_flight() -> None:
    async with make_sim(faults=Faults(latency=0.05)) as sim:
        conf = sim.create_conference("Room")
        twilio, http = async_client_for(sim)
        try:
            began = time.monotonic()
            await asyncio.gather(*(twilio.conferences(conf).fetch_async() for _ in range(6)))
            assert time.monotonic() - began >= 0.05
        finally:
            await http.close()
        assert sim.stats.rest_peak_in_flight == 6
        assert sim.stats.rest_in_flight == 0
        assert sim.stats.rest_requests["GET"] == 6


async def test_rate_limit_is_seeded() -> None:
    results = []
    for _ in range(2):
        async with make_sim(seed=3, faults=Faults(rate_limit=0.5, retry_after=2)) as sim:
            results.append(await _statuses(sim, 20))
            injected = sim.stats.rest_faults_injected
    assert results[0] == results[1]
    statuses = {status for status, _, _ in results[0]}
    assert statuses == {200, 429}
    limited = [r for r in results[0] if r[0] == 429]
    assert {(ra, code) for _, ra, code in limited} == {("2", 20429)}
    assert injected == len(limited)


async def test_server_errors() -> None:
    async with make_sim(faults=Faults(server_error=1.0)) as sim:
        results = await _statuses(sim, 12)
    assert {(s, code) for s, _, code in results} == {(500, 20500), (503, 20503)}


async def test_faults_change_at_runtime(sim: Simulator) -> None:
    assert [s for s, _, _ in await _statuses(sim, 2)] == [200, 200]
    sim.faults.rate_limit = 1.0
    assert [s for s, _, _ in await _statuses(sim, 2)] == [429, 429]
    sim.faults = Faults()
    assert [s for s, _, _ in await _statuses(sim, 1)] == [200]


async def test_fail_next_does_not_consume_unauthenticated_requests(
    sim: Simulator, client: Client
) -> None:
    sim.fail_next(status=429, count=1, retry_after=0.25)
    bad, http = async_client_for(sim, token="wrong")
    try:
        with pytest.raises(Exception, match="401"):
            await bad.conferences("CF" + "0" * 32).fetch_async()
    finally:
        await http.close()
    assert await _statuses(sim, 2) == [(429, "0.25", 20429), (200, None, 0)]


async def _meeting(sim: Simulator, url: str) -> str:
    conf = sim.create_conference("Room", status_callback=url)
    mary = await sim.join(conf, label="Mary")
    bob = await sim.join(conf, label="Bob")
    for _ in range(5):
        await sim.set_speaking(conf, mary, True)
        await sim.set_speaking(conf, mary, False)
    await sim.leave(conf, bob)
    await sim.leave(conf, mary)
    await sim.drain()
    return conf


async def test_dropped_callbacks(receiver: Receiver) -> None:
    async with make_sim(faults=Faults(drop=1.0)) as sim:
        await _meeting(sim, receiver.url)
        assert receiver.items == []
        assert sim.stats.callbacks_dropped == sim.stats.callbacks_generated == 16


async def test_drop_rate_is_seeded(receiver: Receiver) -> None:
    kept = []
    for _ in range(2):
        receiver.items.clear()
        async with make_sim(seed=11, faults=Faults(drop=0.3)) as sim:
            await _meeting(sim, receiver.url)
        kept.append([r.seq for r in receiver.items])
    assert kept[0] == kept[1]
    assert 0 < len(kept[0]) < 16


async def test_duplicated_callbacks(receiver: Receiver) -> None:
    async with make_sim(faults=Faults(duplicate=1.0)) as sim:
        await _meeting(sim, receiver.url)
        assert sim.stats.callbacks_duplicated == 16
        assert sim.stats.callbacks_sent == 32
    pairs = list(zip(receiver.items[::2], receiver.items[1::2], strict=True))
    assert all(a == b for a, b in pairs)  # the same form and the same signature
    receiver.assert_signed(sim.auth_token)


async def test_reordered_callbacks(receiver: Receiver) -> None:
    async with make_sim(seed=5, faults=Faults(reorder=0.3, reorder_delay=0.05)) as sim:
        await _meeting(sim, receiver.url)
        assert sim.stats.callbacks_reordered > 0
    seqs = [r.seq for r in receiver.items]
    assert sorted(seqs) == list(range(1, 17))
    assert seqs != sorted(seqs)


async def test_target_down_is_retried_once(receiver: Receiver) -> None:
    async with make_sim(faults=Faults(target_down=1.0)) as sim:
        await _meeting(sim, receiver.url)
        assert sim.stats.callbacks_retried == 16
        assert sim.stats.callbacks_failed == 0
        assert sim.stats.callbacks_sent == 16
    assert sorted(r.seq for r in receiver.items) == list(range(1, 17))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_target_is_retried_then_counted() -> None:
    async with make_sim() as sim:
        await _meeting(sim, f"http://127.0.0.1:{_closed_port()}/hook")
        assert sim.stats.callbacks_retried == 16
        assert sim.stats.callbacks_failed == 16
        assert sim.stats.callbacks_sent == 0


async def test_an_error_answer_is_not_retried_by_default(receiver: Receiver) -> None:
    receiver.status = 500  # Twilio's default retry policy is rp=ct,rt: connection and timeout
    async with make_sim() as sim:
        await _meeting(sim, receiver.url)
        assert sim.stats.callbacks_failed == 16
        assert sim.stats.callbacks_retried == 0
    assert len(receiver.items) == 16  # each callback tried once


async def test_connection_overrides_ask_for_5xx_retries(receiver: Receiver) -> None:
    receiver.status = 500
    async with make_sim() as sim:
        await _meeting(sim, receiver.url + "#rc=2&rp=5xx,ct")
        assert sim.stats.callbacks_failed == 16
    assert len(receiver.items) == 48  # tried, then retried twice
    assert all(r.url == receiver.url for r in receiver.items)  # the fragment is never sent
    receiver.assert_signed(sim.auth_token)


def test_connection_overrides_parse() -> None:
    assert connection_overrides("https://h/x") == ("https://h/x", WebhookRetryPolicy())
    url, policy = connection_overrides("https://h/x?a=1#rc=9&rp=all")
    assert url == "https://h/x?a=1"
    assert policy == WebhookRetryPolicy(5, frozenset({"4xx", "5xx", "ct", "rt"}))
    assert connection_overrides("https://h/x#rc=0")[1].count == 0


async def test_stop_cancels_pending_deliveries(receiver: Receiver) -> None:
    sim = make_sim(faults=Faults(reorder=1.0, reorder_delay=30))
    await sim.start()
    conf = sim.create_conference("Room", status_callback=receiver.url)
    await sim.join(conf)
    await asyncio.sleep(0.01)
    await sim.stop()
    await sim.stop()  # idempotent
    assert receiver.items == []
