"""Does the host's hold-music URL play? Fetched as Twilio fetches it for the waiting room.

The lobby's `<Conference waitUrl>` is fetched with GET (domain/door_twiml.py) and a hold's
HoldUrl with GET too. An `audio/*` answer plays; a TwiML answer plays when it holds only Say,
Play, Pause and Redirect (Twilio refuses anything else there: 13238); an error answer, or none,
leaves callers waiting in silence (11200). Twilio's own twimlets music is not fetched.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit
from xml.etree import ElementTree

import aiohttp

from moderator.domain.door_twiml import WAIT_METHOD
from moderator.setup.readiness import Check

TIMEOUT = 10.0
ALLOWED = frozenset({"Say", "Play", "Pause", "Redirect"})
MAX_BODY = 64 * 1024  # enough of a TwiML answer to read; audio is never read


async def check_hold_music(url: str, *, timeout: float = TIMEOUT) -> Check:
    """One line on whether callers will hear `url` (None: no URL, Twilio's music)."""
    url = url.strip()
    if not url:
        return Check(None, "Twilio's hold music (no hold music URL set)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Check(False, f"{url} is not an http(s) URL: callers would wait in silence")
    if parts.hostname == "twimlets.com" or parts.hostname.endswith(".twimlets.com"):
        return Check(True, f"{url} is Twilio's own music")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.request(WAIT_METHOD, url) as response,
        ):
            status, content_type = response.status, response.content_type
            body = (
                b"" if content_type.startswith("audio/") else await response.content.read(MAX_BODY)
            )
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        return Check(
            False, f"{url} did not answer ({exc.__class__.__name__}): callers would wait in silence"
        )
    if not 200 <= status < 300:
        return Check(
            False, f"{url} answers {WAIT_METHOD} with {status}: callers would wait in silence"
        )
    if content_type.startswith("audio/"):
        return Check(True, f"{url} plays ({content_type})")
    return _twiml_check(url, body)


def _twiml_check(url: str, body: bytes) -> Check:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return Check(False, f"{url} answers neither audio nor TwiML: callers would wait in silence")
    if root.tag != "Response":
        return Check(False, f"{url} answers <{root.tag}>, not TwiML: callers would wait in silence")
    refused = sorted({verb.tag for verb in root if verb.tag not in ALLOWED})
    if refused:
        verbs = ", ".join(f"<{tag}>" for tag in refused)
        return Check(False, f"{url} answers TwiML with {verbs}, which Twilio refuses there (13238)")
    return Check(True, f"{url} answers TwiML Twilio plays (Say, Play, Pause, Redirect)")
