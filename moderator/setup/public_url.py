"""The console's public base URL: checking a pasted one, and proving it reaches this console."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import aiohttp

from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH, HEALTH_PATH, VOICE_PATH
from moderator.setup.errors import SetupError

VERIFY_TIMEOUT = 8.0  # seconds: a tunnel adds a round trip through its provider


def normalize_public_url(text: str) -> str:
    """A pasted base URL without trailing slash; SetupError for anything Twilio cannot call.

    A path prefix is fine (a reverse proxy mapping https://host/prefix to this server's root);
    a URL that already ends in one of the console's routes is not a base URL.
    """
    value = text.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SetupError(f"{text.strip()!r} is not an http(s) URL, e.g. https://abc.ngrok.app")
    if parts.query or parts.fragment:
        raise SetupError("the public base URL takes no query or fragment")
    for route in (CONFERENCE_EVENTS_PATH, VOICE_PATH, HEALTH_PATH):
        if value.endswith(route):
            raise SetupError(
                f"that URL ends in the route {route}: give the base URL, "
                f"e.g. {value[: -len(route)] or 'https://abc.ngrok.app'}"
            )
    return value


async def verify_reaches_console(
    public_url: str,
    instance: str,
    *,
    timeout: float = VERIFY_TIMEOUT,
    session: aiohttp.ClientSession | None = None,
) -> None:
    """GET {public_url}/healthz must answer with this console's `instance` nonce.

    Catches a tunnel that is down, one that forwards to another port or program, and one
    that forwards to another console (each console start has its own nonce).
    """
    url = public_url.rstrip("/") + HEALTH_PATH
    own = session is None
    client = session or aiohttp.ClientSession()
    try:
        async with client.get(
            url, timeout=aiohttp.ClientTimeout(total=timeout), allow_redirects=False
        ) as response:
            if response.status != 200:
                raise SetupError(
                    f"{url} answered HTTP {response.status}: the tunnel does not reach this "
                    "console (is it forwarding to the console's port?)"
                )
            text = await response.text()
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
        raise SetupError(
            f"cannot reach {url} ({type(exc).__name__}): is the tunnel running?"
        ) from None
    finally:
        if own:
            await client.close()
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict) or "instance" not in body:
        raise SetupError(f"{url} is not a moderator console: the tunnel forwards elsewhere")
    if body["instance"] != instance:
        raise SetupError(
            f"{url} reaches another moderator console, not this one: "
            "the tunnel forwards to a different port or machine"
        )
