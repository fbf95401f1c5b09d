"""The public URL steps: a pasted URL, the healthz chain check, ngrok agent and SDK tunnels."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from moderator.core import Core, CoreConfig, open_core
from moderator.setup.errors import SetupError
from moderator.setup.ngrok_agent import detect_ngrok_agent, forwarded_port
from moderator.setup.ngrok_tunnel import NgrokTunnel
from moderator.setup.public_url import normalize_public_url, verify_reaches_console

from .fake_ngrok import FakeSdk, agent_tunnel, serve_agent_api


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("https://abc.ngrok.app/", "https://abc.ngrok.app"),
        ("  https://host.example.com/prefix  ", "https://host.example.com/prefix"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_a_pasted_url_becomes_a_base_url(pasted: str, expected: str) -> None:
    assert normalize_public_url(pasted) == expected


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("abc.ngrok.app", "not an http(s) URL"),
        ("ftp://abc.ngrok.app", "not an http(s) URL"),
        ("https://abc.ngrok.app/twilio/voice", "https://abc.ngrok.app"),
        ("https://abc.ngrok.app/?x=1", "no query"),
    ],
)
def test_a_url_twilio_cannot_use_is_refused_in_one_line(pasted: str, words: str) -> None:
    with pytest.raises(SetupError) as caught:
        normalize_public_url(pasted)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_healthz_through_the_url_must_reach_this_console(core: Core) -> None:
    """The check asks /healthz through the URL and accepts this console's answer."""
    server = core.server
    answered: list[tuple[str, int]] = []

    async def on_request_end(_session: Any, _context: Any, params: Any) -> None:
        answered.append((str(params.url), params.response.status))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        await verify_reaches_console(server.local_url, server.instance, session=session)
    assert answered == [(f"{server.local_url.rstrip('/')}/healthz", 200)]


async def test_a_url_that_reaches_another_console_is_caught(core: Core, tmp_path: Path) -> None:
    config = CoreConfig(tmp_path / "other", control=False)
    async with open_core(config) as other:
        with pytest.raises(SetupError, match="another moderator console"):
            await verify_reaches_console(other.server.local_url, core.server.instance)


async def test_a_url_that_reaches_another_program_is_caught(core: Core) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="<html>It works!</html>")

    app = web.Application()
    app.router.add_get("/healthz", hello)
    other = TestServer(app, host="127.0.0.1")
    await other.start_server()
    try:
        with pytest.raises(SetupError, match="not a moderator console"):
            await verify_reaches_console(str(other.make_url("")), core.server.instance)
        with pytest.raises(SetupError, match="HTTP 404"):
            await verify_reaches_console(str(other.make_url("/prefix")), core.server.instance)
    finally:
        await other.close()


async def test_a_tunnel_that_is_down_is_caught(core: Core) -> None:
    with pytest.raises(SetupError, match=re.escape("cannot reach http://127.0.0.1:9/healthz")):
        await verify_reaches_console("http://127.0.0.1:9", core.server.instance, timeout=2)


@pytest.mark.parametrize(
    ("addr", "port"),
    [
        ("http://localhost:8080", 8080),
        ("localhost:8080", 8080),
        ("8080", 8080),
        ("https://127.0.0.1:8443", 8443),
        ("http://192.168.1.7:8080", None),
    ],
)
def test_the_port_an_agent_tunnel_forwards_to(addr: str, port: int | None) -> None:
    assert forwarded_port(addr) == port


async def test_a_running_ngrok_agent_is_found_through_its_local_api() -> None:
    agent = await serve_agent_api(
        [
            agent_tunnel("https://other.ngrok.app", "http://localhost:3000"),
            agent_tunnel("http://plain.ngrok.app", "http://localhost:8080", proto="http"),
            agent_tunnel("https://ours.ngrok.app", "http://localhost:8080"),
        ]
    )
    try:
        api = str(agent.make_url(""))
        assert await detect_ngrok_agent(8080, api_url=api) == "https://ours.ngrok.app"
        with pytest.raises(SetupError, match="no https tunnel to port 9000") as caught:
            await detect_ngrok_agent(9000, api_url=api)
        assert "http://localhost:3000" in str(caught.value)
        assert "ngrok http 9000" in str(caught.value)
    finally:
        await agent.close()


async def test_no_ngrok_agent_says_how_to_start_one() -> None:
    with pytest.raises(SetupError, match="ngrok http 8080"):
        await detect_ngrok_agent(8080, api_url="http://127.0.0.1:9", timeout=2)


async def test_the_sdk_tunnel_forwards_to_our_port_and_closes() -> None:
    sdk = FakeSdk(urls=["https://first.ngrok.app"])
    tunnel = NgrokTunnel(sdk.module())
    url = await tunnel.start(8080, "2abcTOKEN")
    assert url == "https://first.ngrok.app"
    assert sdk.forwarded == ["http://127.0.0.1:8080"]
    assert sdk.tokens == ["2abcTOKEN"]
    await tunnel.stop()
    assert sdk.closed == 2  # the endpoint and the session
    assert tunnel.url is None


async def test_an_sdk_refusal_is_one_line_without_the_token() -> None:
    sdk = FakeSdk(urls=[], refuse="authentication failed: 2abcTOKEN is not valid\nERR_NGROK_105")
    tunnel = NgrokTunnel(sdk.module())
    with pytest.raises(SetupError) as caught:
        await tunnel.start(8080, "2abcTOKEN")
    expected = "ngrok could not open a tunnel: authentication failed: *** is not valid"
    assert str(caught.value) == expected


async def test_without_the_sdk_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ngrok", None)  # import ngrok raises ImportError
    with pytest.raises(SetupError, match=r"twilio-moderator\[tunnel\]"):
        await NgrokTunnel().start(8080, "token")


async def test_no_authtoken_says_where_to_find_it() -> None:
    with pytest.raises(SetupError, match=re.escape("dashboard.ngrok.com")):
        await NgrokTunnel(FakeSdk(urls=[]).module()).start(8080, "")


REAL_SDK_CHILD = """
import asyncio, sys
from moderator.setup.errors import SetupError
from moderator.setup.ngrok_tunnel import NgrokTunnel, exit_past_sdk_threads

async def main() -> None:
    tunnel = NgrokTunnel(server_addr="127.0.0.1:9")  # nothing listens: refused at once
    try:
        await tunnel.start(8080, "2realSdkTOKEN")
    except SetupError as exc:
        print(exc)

asyncio.run(main())
exit_past_sdk_threads(0)
"""


def test_the_real_sdk_up_to_its_boundary() -> None:
    """The installed ngrok SDK, through NgrokTunnel, to where it would reach ngrok's service
    (a refused ingress here), in a child: the SDK's threads can crash at interpreter exit, which
    exit_past_sdk_threads avoids (exit status 0)."""
    pytest.importorskip("ngrok")
    child = subprocess.run(
        [sys.executable, "-c", REAL_SDK_CHILD], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("ngrok could not open a tunnel: ")
    assert "failed to connect session: failed to establish tcp connection" in child.stdout
    assert "2realSdkTOKEN" not in child.stdout + child.stderr
