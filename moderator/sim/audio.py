"""What a caller hears from the URLs Twilio fetches on its own: waitUrl, HoldUrl, AnnounceUrl.

Twilio fetches each with its method (waitMethod defaults to POST, HoldMethod to GET,
AnnounceMethod to POST), signed like every webhook. An `audio/*` answer is played; a TwiML
answer may hold only Say, Play, Pause and Redirect (any other verb is 13238); an error answer
or none at all is 11200 in the debugger and the caller hears silence. Twilio's own hosted
music (twimlets.com) plays without a fetch here: the simulator reaches only this machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import aiohttp

from moderator.sim.twiml import (
    AUDIO_VERBS,
    HTTP_RETRIEVAL_FAILURE,
    INVALID_AUDIO_VERB,
    TwimlError,
    number,
    parse,
)

# What a <Conference> plays without a waitUrl, and a hold without a HoldUrl.
TWILIO_MUSIC = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"
MAX_REDIRECTS = 5

# the kinds of things a caller hears (`Call.heard` holds (kind, text or URL or why))
SAY, PLAY, MUSIC, SILENCE = "Say", "Play", "Music", "Silence"

Request = Callable[[str, str], Awaitable[tuple[int, str, str]]]


@dataclass
class Listening:
    """What one fetched URL gave the caller, and the error Twilio's debugger would show."""

    heard: list[tuple[str, str]] = field(default_factory=list)
    error: TwimlError | None = None
    error_url: str | None = None

    @property
    def played(self) -> bool:
        return self.error is None


def is_twilio_music(url: str) -> bool:
    """Twilio's own hosted music and TwiML (twimlets.com), which always plays."""
    host = urlsplit(url).hostname or ""
    return host == "twimlets.com" or host.endswith(".twimlets.com")


async def listen(request: Request, url: str, method: str, *, music: bool) -> Listening:
    """Fetch `url` as Twilio would for hold music or an announcement, follow its Redirects,
    and say what the caller heard (`music`: an audio answer is music, not a Play)."""
    result = Listening()
    if is_twilio_music(url):
        result.heard.append((MUSIC, url))
        return result
    for _ in range(MAX_REDIRECTS + 1):
        try:
            status, content_type, body = await request(url, method)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as err:
            return _failed(result, HTTP_RETRIEVAL_FAILURE, f"HTTP retrieval failure: {err}", url)
        if not 200 <= status < 300:
            message = f"HTTP retrieval failure: {method} answered {status}"
            return _failed(result, HTTP_RETRIEVAL_FAILURE, message, url)
        if content_type.startswith("audio/"):
            result.heard.append((MUSIC if music else PLAY, url))
            return result
        try:
            document = parse(body, url, AUDIO_VERBS, INVALID_AUDIO_VERB)
        except TwimlError as err:
            return _failed(result, err.code, err.message, url)
        redirect: tuple[str, str] | None = None
        for verb in document.verbs:
            text = (verb.text or "").strip()
            if verb.tag == "Say":
                result.heard.append((SAY, text))
            elif verb.tag == "Play":
                result.heard.append((PLAY, urljoin(url, text)))
            elif verb.tag == "Pause":
                result.heard.append((SILENCE, f"{number(verb, 'length', 1.0):g} s pause"))
            else:  # Redirect: the rest of this document is never played
                redirect = (urljoin(url, text), verb.get("method", "POST").upper())
                break
        if redirect is None:
            return result
        url, method = redirect
    return _failed(result, HTTP_RETRIEVAL_FAILURE, f"more than {MAX_REDIRECTS} redirects", url)


def _failed(result: Listening, code: int, message: str, url: str) -> Listening:
    result.error = TwimlError(code, message)
    result.error_url = url
    result.heard.append((SILENCE, f"{url}: {message} ({code})"))
    return result
