"""A callback's body: one that came with its headers is read at once, one still coming is waited
for (BODY_READ_TIMEOUT) and the connection may be closed meanwhile to make room."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from moderator.core import CoreConfig, open_core
from moderator.credentials import Credentials
from moderator.server import forms
from moderator.server.webhooks import WebhookServer
from tests.forms import team_meeting

TOKEN = "test-auth-token-0123456789abcdef"
PATH = "/twilio/conference-events"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[WebhookServer]:
    config = CoreConfig(
        data_dir=tmp_path,
        credentials=Credentials(auth_token=TOKEN),
        control=False,
        shutdown_grace=0,
    )
    async with open_core(config) as core:
        yield core.server


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
    server: WebhookServer, timers: list[float | None]
) -> None:
    status = await post_in_parts(server, 0)
    assert status.startswith(b"HTTP/1.1 204")
    assert timers == []


async def test_a_body_still_coming_is_waited_for_within_the_timeout(
    server: WebhookServer, timers: list[float | None]
) -> None:
    status = await post_in_parts(server, 0.2)
    assert status.startswith(b"HTTP/1.1 204")
    assert timers == [forms.BODY_READ_TIMEOUT]
