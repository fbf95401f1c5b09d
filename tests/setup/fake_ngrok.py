"""Stand-ins for ngrok: its agent's local API (served by the test) and its Python SDK module."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


async def serve_agent_api(tunnels: list[dict[str, Any]]) -> TestServer:
    """An ngrok agent's local API answering GET /api/tunnels with `tunnels` (started)."""

    async def handle(request: web.Request) -> web.Response:
        return web.json_response({"tunnels": tunnels, "uri": "/api/tunnels"})

    app = web.Application()
    app.router.add_get("/api/tunnels", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


def agent_tunnel(public_url: str, addr: str, proto: str = "https") -> dict[str, Any]:
    """One entry of /api/tunnels as ngrok v3 lists it."""
    return {
        "name": "command_line",
        "ID": "6f1e0bd4e4b0a6b5",
        "uri": "/api/tunnels/command_line",
        "public_url": public_url,
        "proto": proto,
        "config": {"addr": addr, "inspect": True},
        "metrics": {},
    }


@dataclass
class FakeSdk:
    """What NgrokTunnel sees of the `ngrok` module: SessionBuilder → Session → Listener.

    `urls` are handed out one per start (a free ngrok account gets a new URL each time);
    `refuse` makes connect() fail like the SDK does for a bad authtoken.
    """

    urls: list[str]
    refuse: str | None = None
    forwarded: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    closed: int = 0

    def module(self) -> Any:
        sdk = self

        class Listener:
            def __init__(self, url: str) -> None:
                self._url = url

            def url(self) -> str:
                return self._url

            async def close(self) -> None:
                sdk.closed += 1

        class Endpoint:
            async def listen_and_forward(self, to: str) -> Listener:
                sdk.forwarded.append(to)
                return Listener(sdk.urls.pop(0))

        class Session:
            def http_endpoint(self) -> Endpoint:
                return Endpoint()

            async def close(self) -> None:
                sdk.closed += 1

        class SessionBuilder:
            def authtoken(self, token: str) -> SessionBuilder:
                sdk.tokens.append(token)
                return self

            async def connect(self) -> Session:
                if sdk.refuse:
                    raise ValueError(sdk.refuse)
                return Session()

        return SimpleNamespace(SessionBuilder=SessionBuilder)
