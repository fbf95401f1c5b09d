"""Reading a callback's form body without trusting anything about it: size, time, encoding."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError
from multidict import MultiDict

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 200  # a conference callback has about 20
# Seconds for the whole body once the headers are in: Twilio sends its small bodies (under 2 KB)
# with the headers, so a body that takes longer is a slow client holding a connection.
BODY_READ_TIMEOUT = 2.0
_IDENTITY = ("", "identity")
_UTF8 = ("", "utf-8", "utf8")


class UnreadableForm(Exception):
    """The request is not a readable form; `status` is the HTTP answer, the message says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


async def read_form(request: web.Request) -> MultiDict[str]:
    """The request's form fields, decoded as Twilio sends them (UTF-8, no content coding).

    Everything is checked from the raw bytes so that no header value (charset, encoding) can
    make a decoder raise something other than UnreadableForm.
    """
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in _IDENTITY:
        raise UnreadableForm(415, "content coding is not accepted")
    if request.content_type != FORM_TYPE:
        raise UnreadableForm(400, f"expected {FORM_TYPE}")
    charset = (request.charset or "").lower()
    if charset not in _UTF8:
        raise UnreadableForm(415, "charset must be UTF-8")
    try:
        if request.content.is_eof():
            # The whole body came in with the headers (Twilio's small bodies do): reading it
            # waits for nothing, so it needs no timer (one per callback, a Qt timer on the
            # console's loop).
            body = await request.read()  # raises HTTPRequestEntityTooLarge past client_max_size
        else:
            async with asyncio.timeout(BODY_READ_TIMEOUT):
                body = await request.read()
    except TimeoutError:
        raise UnreadableForm(408, "body not received in time") from None
    except (RequestPayloadError, ConnectionError):
        raise UnreadableForm(400, "incomplete body") from None
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise UnreadableForm(400, "unreadable form body") from None
    return MultiDict(pairs)
