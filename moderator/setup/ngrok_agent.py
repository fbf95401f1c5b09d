"""Finds a running ngrok agent's https tunnel to our port through its local API (port 4040)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from moderator.setup.errors import SetupError

AGENT_API = "http://127.0.0.1:4040"
TUNNELS_PATH = "/api/tunnels"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def forwarded_port(addr: str) -> int | None:
    """The local port an agent tunnel forwards to: '8080', 'localhost:8080', 'http://…:8080'."""
    value = addr.strip()
    if value.isdigit():
        return int(value)
    parts = urlsplit(value if "://" in value else f"http://{value}")
    if parts.hostname not in LOCAL_HOSTS:
        return None
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def pick_tunnel(tunnels: list[dict[str, Any]], port: int) -> str | None:
    """The https public URL of the tunnel that forwards to `port`, if there is one."""
    for tunnel in tunnels:
        public = str(tunnel.get("public_url") or "")
        config = tunnel.get("config") or {}
        addr = str(config.get("addr") or "") if isinstance(config, dict) else ""
        if public.startswith("https://") and forwarded_port(addr) == port:
            return public.rstrip("/")
    return None


async def detect_ngrok_agent(port: int, *, api_url: str = AGENT_API, timeout: float = 3.0) -> str:
    """The https URL of a running ngrok agent's tunnel to 127.0.0.1:`port`; SetupError if none."""
    url = api_url.rstrip("/") + TUNNELS_PATH
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response,
        ):
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError):
        raise SetupError(
            f"no ngrok agent answers at {api_url}: start one with `ngrok http {port}`"
        ) from None
    tunnels = body.get("tunnels") if isinstance(body, dict) else None
    if not isinstance(tunnels, list):
        raise SetupError(f"{url} did not answer like an ngrok agent")
    found = pick_tunnel([t for t in tunnels if isinstance(t, dict)], port)
    if found is None:
        forwarding = sorted(
            {
                str((t.get("config") or {}).get("addr"))
                for t in tunnels
                if isinstance(t, dict) and isinstance(t.get("config"), dict)
            }
        )
        elsewhere = f" (it forwards to {', '.join(forwarding)})" if forwarding else ""
        raise SetupError(
            f"the ngrok agent has no https tunnel to port {port}{elsewhere}: "
            f"run `ngrok http {port}`"
        )
    return found
