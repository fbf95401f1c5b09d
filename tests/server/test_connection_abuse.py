"""Idle, slow and too many connections: closed or refused, while Twilio's callbacks still get in."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from moderator.core import CoreConfig, open_core
from moderator.credentials import Credentials
from moderator.server import connections, forms
from moderator.server.webhooks import WebhookServer
from tests.forms import team_meeting

TOKEN = "test-auth-token-0123456789abcdef"
PATH = "/twilio/conference-events"
HANG_GUARD = 30.0  # seconds; only stops a broken test from hanging, never a speed check


@pytest.fixture
async def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(connections, "HEADER_TIMEOUT", 0.5)
    monkeypatch.setattr(connections, "SWEEP_INTERVAL", 0.1)
    monkeypatch.setattr(connections, "MAX_CONNECTIONS", 16)
    config = CoreConfig(  # no grace at the teardown: a refused body still lingering took 2 s
        data_dir=tmp_path,
        credentials=Credentials(auth_token=TOKEN),
        control=False,
        shutdown_grace=0,
    )
    async with open_core(config) as core:
        yield core.server


async def signed_callback(web: WebhookServer, sequence: int = 1) -> int:
    fields = dict(team_meeting()[0], SequenceNumber=str(sequence))
    url = web.local_url + PATH
    signature = RequestValidator(TOKEN).compute_signature(url, fields)
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=fields, headers={"X-Twilio-Signature": signature}) as response,
    ):
        return response.status


async def open_raw(web: WebhookServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", web.port)


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """True once the server closes the connection (EOF or reset)."""
    try:
        while await reader.read(4096):
            pass
    except ConnectionError:
        pass
    return True


async def test_idle_and_slow_clients_are_closed_and_callbacks_still_answered(
    server: WebhookServer,
) -> None:
    idle = [await open_raw(server) for _ in range(5)]
    slow = [await open_raw(server) for _ in range(5)]
    for _, writer in slow:
        writer.write(b"POST /twilio/conference-events HTTP/1.1\r\nHost: x\r\n")

    async def dribble() -> None:  # slowloris: one header line now and then, never the end
        for n in range(1000):
            for _, writer in slow:
                if not writer.is_closing():
                    writer.write(b"X-%d: y\r\n" % n)
            await asyncio.sleep(0.05)

    dribbler = asyncio.ensure_future(dribble())
    assert await asyncio.wait_for(signed_callback(server), HANG_GUARD) == 204
    for reader, _ in idle + slow:
        assert await asyncio.wait_for(closed_by_server(reader), HANG_GUARD)
    dribbler.cancel()
    for _, writer in idle + slow:
        writer.close()
    assert await asyncio.wait_for(signed_callback(server, 2), HANG_GUARD) == 204


async def test_a_connection_flood_is_capped_logged_once_and_callbacks_still_get_in(
    server: WebhookServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    flood = [await open_raw(server) for _ in range(60)]
    assert server.connections is not None
    assert server.connections.open_connections <= 16
    assert await asyncio.wait_for(signed_callback(server), HANG_GUARD) == 204
    more = [await open_raw(server) for _ in range(60)]
    assert await asyncio.wait_for(signed_callback(server, 2), HANG_GUARD) == 204
    assert caplog.text.count("connections open, the limit") == 1
    for _, writer in flood + more:
        writer.close()


@pytest.fixture
async def full_size_server(tmp_path: Path) -> Any:
    """The server as shipped: its own connection limit and timeouts (no grace at the end)."""
    config = CoreConfig(
        data_dir=tmp_path,
        credentials=Credentials(auth_token=TOKEN),
        control=False,
        shutdown_grace=0,
    )
    async with open_core(config) as core:
        yield core.server


SHAPED = "A" * 27 + "="  # base64 of 20 bytes: the shape of Twilio's signature, not one of its
SLOW_BODY_ROUNDS = 400  # connections each flooding client opens in turn: bounded, and enough
# that the flood outlasts the 20 callbacks on a loaded machine (40 ran out under load, and the
# last callbacks were sent after the flood had thinned: min(open_at_send) fell to 100 of 192)
DRIP_SECONDS = 0.25  # between body bytes


async def slow_body_client(port: int, signature: str, stop: asyncio.Event) -> None:
    """Complete headers announcing a 16,000-byte body, then one byte at a time; reconnects when
    the server closes the connection, at most SLOW_BODY_ROUNDS times."""
    head = (
        "POST /twilio/conference-events HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {signature}\r\nContent-Length: 16000\r\n\r\n"
    ).encode()
    for _ in range(SLOW_BODY_ROUNDS):
        if stop.is_set():
            return
        await asyncio.sleep(DRIP_SECONDS)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            continue
        try:
            writer.write(head)
            for _ in range(16000):
                if stop.is_set() or reader.at_eof() or writer.transport.is_closing():
                    break
                writer.write(b"a")
                await writer.drain()
                await asyncio.sleep(DRIP_SECONDS)
        except ConnectionError:
            pass
        finally:
            writer.close()


@pytest.mark.parametrize("signature", ["AAAA", SHAPED])
async def test_a_slow_body_flood_does_not_lock_twilio_out(
    full_size_server: WebhookServer, signature: str
) -> None:
    """The issue's flood: more clients than the server takes, each with complete headers
    ("AAAA", or a signature of Twilio's shape) and then a byte of body now and then.
    Refused at once ("AAAA") or waited for (shaped), they must leave room for Twilio."""
    server = full_size_server
    guard = server.connections
    assert guard is not None
    stop = asyncio.Event()
    clients = guard.limit + 64
    flood = [
        asyncio.ensure_future(slow_body_client(server.port, signature, stop))
        for _ in range(clients)
    ]
    try:
        busy = guard.limit * 3 // 4  # the flood holds at least this many connections
        for _ in range(400):  # until it does (bounded); waiting for the exact limit took 6-19 s,
            if guard.open_connections >= busy:  # as the flood's churn hovers just below it
                break
            await asyncio.sleep(0.05)
        assert guard.open_connections >= busy
        served, open_at_send, flooding_at_send = 0, [], []
        for sequence in range(1, 21):
            open_at_send.append(guard.open_connections)
            flooding_at_send.append(sum(not client.done() for client in flood))
            try:
                status = await asyncio.wait_for(signed_callback(server, sequence), HANG_GUARD)
            except aiohttp.ClientError:
                continue
            served += status == 204
        assert served == 20, f"{served} of 20 signed callbacks served during the flood"
        # each was sent during the flood: every client still at it, and the server still full
        # enough to need room (when it makes room it may close many at once, so the count
        # dips below `busy` on a loaded machine before the clients reconnect: 147 of 256 seen)
        assert min(flooding_at_send) == clients
        assert min(open_at_send) >= guard.limit // 2
    finally:
        stop.set()
        await asyncio.gather(*flood, return_exceptions=True)
    # how room was made (the guard closing one, the body-read timeout, a refusal at the
    # headers) is timing here; test_a_full_server_closes_the_oldest_slow_body_for_twilio pins it
    assert server.stats.rejected_signature + server.stats.rejected_malformed > 0


async def test_a_full_server_closes_the_oldest_slow_body_for_twilio(
    server: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forms, "BODY_READ_TIMEOUT", HANG_GUARD)  # the guard acts, not the timeout
    guard = server.connections
    assert guard is not None
    head = (
        "POST /twilio/conference-events HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {SHAPED}\r\nContent-Length: 16000\r\n\r\na"
    ).encode()
    slow = []
    for _ in range(guard.limit):  # the server full of bodies that never finish
        reader, writer = await open_raw(server)
        writer.write(head)
        slow.append((reader, writer))
    for _ in range(400):  # until the server reads each one's body (bounded)
        if guard.reading_bodies == guard.limit:
            break
        await asyncio.sleep(0.05)
    assert guard.reading_bodies == guard.limit
    assert await asyncio.wait_for(signed_callback(server), HANG_GUARD) == 204
    assert (guard.closed_slow, guard.closed_idle, guard.refused) == (1, 0, 0)
    assert await asyncio.wait_for(closed_by_server(slow[0][0]), HANG_GUARD)  # the oldest
    for _, writer in slow:
        writer.close()


async def test_a_signature_not_of_twilios_shape_is_refused_before_its_body(
    server: WebhookServer,
) -> None:
    reader, writer = await open_raw(server)
    writer.write(
        b"POST /twilio/conference-events HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"X-Twilio-Signature: AAAA\r\nContent-Length: 16000\r\n\r\n"
    )
    status_line = await asyncio.wait_for(reader.readline(), HANG_GUARD)  # no byte of body sent
    assert status_line.split()[1] == b"403", status_line
    writer.close()


async def test_oversized_headers_are_refused_and_logged_once_without_traceback(
    server: WebhookServer, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(20):
        reader, writer = await open_raw(server)
        writer.write(b"POST /twilio/conference-events HTTP/1.1\r\nHost: x\r\nX-Big: ")
        writer.write(b"a" * 64 * 1024 + b"\r\n\r\n")
        status_line = await asyncio.wait_for(reader.readline(), HANG_GUARD)
        assert status_line.split()[1] == b"400", status_line
        writer.close()
    assert all(record.exc_info is None for record in caplog.records)
    assert caplog.text.count("malformed HTTP request refused") == 1


async def test_stop_does_not_wait_the_grace_for_an_idle_keep_alive_connection(
    tmp_path: Path,
) -> None:
    # aiohttp's shutdown waited its whole timeout for a connection that was only waiting for
    # its next request, so every stop (a test's teardown, the console's quit) took the grace.
    config = CoreConfig(
        data_dir=tmp_path,
        credentials=Credentials(auth_token=TOKEN),
        control=False,
        shutdown_grace=3600.0,
    )
    async with open_core(config) as core, aiohttp.ClientSession() as session:
        web = core.server
        fields = dict(team_meeting()[0], SequenceNumber="1")
        url = web.local_url + PATH
        signature = RequestValidator(TOKEN).compute_signature(url, fields)
        async with session.post(url, data=fields, headers={"X-Twilio-Signature": signature}) as r:
            assert r.status == 204
        # the session keeps its connection open (keep-alive) while the server stops
        await asyncio.wait_for(web.stop(), HANG_GUARD)


def test_a_log_budget_lets_a_burst_through_a_minute_and_counts_the_rest() -> None:
    now = [0.0]
    budget = connections.LogBudget(lambda: now[0], burst=3)
    assert [budget.allow() for _ in range(5)] == [0, 0, 0, None, None]
    now[0] = 59.0
    assert budget.allow() is None
    now[0] = 60.0  # a new minute: the first line says how many were dropped
    assert [budget.allow() for _ in range(4)] == [3, 0, 0, None]


# ---- a body that came with its headers needs no timer -----------------------------------------


@pytest.fixture
def timers(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """The body-read timeouts read_form starts."""
    started: list[float | None] = []
    timeout = asyncio.timeout

    def counted(delay: float | None) -> AbstractAsyncContextManager[object]:
        started.append(delay)
        return timeout(delay)

    monkeypatch.setattr(forms.asyncio, "timeout", counted)
    return started


async def post_in_parts(server: WebhookServer, pause: float) -> bytes:
    """The status line answering a signed callback whose body follows its headers `pause`
    seconds later (0: with them)."""
    fields = team_meeting()[0]
    signature = RequestValidator(TOKEN).compute_signature(server.local_url + PATH, fields)
    body = urlencode(fields).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        if pause:
            writer.write(head + body[:10])
            await writer.drain()
            await asyncio.sleep(pause)
            writer.write(body[10:])
        else:
            writer.write(head + body)
        await writer.drain()
        status = await reader.readline()
    finally:
        writer.close()
    return status


async def test_a_body_that_came_with_its_headers_is_read_without_a_timer(
    full_size_server: WebhookServer, timers: list[float | None]
) -> None:
    status = await post_in_parts(full_size_server, 0)
    assert status.startswith(b"HTTP/1.1 204")
    assert timers == []


async def test_a_body_still_coming_is_waited_for_within_the_timeout(
    full_size_server: WebhookServer, timers: list[float | None]
) -> None:
    status = await post_in_parts(full_size_server, 0.2)
    assert status.startswith(b"HTTP/1.1 204")
    assert timers == [forms.BODY_READ_TIMEOUT]
