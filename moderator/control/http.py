"""The aiohttp transport under the twilio SDK: explicit timeouts, bounded retries, no secrets."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

from moderator.control.errors import NoAnswer
from moderator.control.limiter import AdaptiveLimit
from moderator.control.retry import RetryPolicy, parse_retry_after, retryable

log = logging.getLogger(__name__)

# Observer of every outcome: the HTTP status, or None when no answer came (timeout, no route).
OutcomeListener = Callable[[int | None], None]


class ResilientHttpClient(AsyncHttpClient):  # type: ignore[misc]
    """One aiohttp session per event loop, created lazily inside it and closed by `close()`.

    The SDK's own AsyncTwilioHttpClient ignores its `timeout` and its `max_retries` does not
    honour Retry-After, so this transport does both itself.
    """

    def __init__(
        self,
        *,
        timeout: float,
        connect_timeout: float | None = None,
        policy: RetryPolicy | None = None,
        limit: AdaptiveLimit | None = None,
        on_outcome: OutcomeListener | None = None,
    ) -> None:
        super().__init__(log, True, timeout)
        self.policy = policy or RetryPolicy()
        self.connect_timeout = min(connect_timeout or timeout, timeout)
        # every attempt holds a slot; the connection pool is as big as the window can grow
        self.limit = limit or AdaptiveLimit(32)
        self.on_outcome = on_outcome
        self.requests = 0  # attempts sent, retries included
        self.retries = 0
        self.in_flight = 0
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._idle = asyncio.Event()
        self._idle.set()

    def _session_here(self) -> aiohttp.ClientSession:
        if self._closed:
            raise NoAnswer("the console is shutting down", timed_out=False)
        if self._session is None:
            # Created on first use, inside the running loop (aiohttp binds sessions to a loop).
            connector = aiohttp.TCPConnector(limit=self.limit.ceiling, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def close(self) -> None:
        """Close the session; later requests fail with NoAnswer. Idempotent."""
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def wait_idle(self) -> None:
        """Return once no request is in flight (to retire a replaced client gently)."""
        await self._idle.wait()

    async def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, object] | None = None,
        data: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send one SDK request, retrying 429 and (for repeatable requests) 5xx answers."""
        method = method.upper()
        send_headers = dict(headers or {})
        if auth is not None:  # the header is never logged
            send_headers["Authorization"] = aiohttp.encode_basic_auth(auth[0], auth[1])
        seconds = timeout or self.timeout or 10.0
        client_timeout = aiohttp.ClientTimeout(
            total=seconds, sock_connect=min(self.connect_timeout, seconds)
        )
        # A 5xx may come after Twilio acted: repeating a dial-out could dial twice, repeating
        # an AnnounceUrl could play the announcement twice. Setting Muted/Hold/Status is safe.
        idempotent = not (
            method == "POST"
            and (url.rstrip("/").endswith("/Participants.json") or "AnnounceUrl" in (data or {}))
        )
        where = _short(url)
        session = self._session_here()
        self.in_flight += 1
        self._idle.clear()
        try:
            started = time.monotonic()
            attempt = 0
            while True:
                attempt += 1
                self.requests += 1
                sent = await self.limit.acquire()
                try:
                    response = await self._attempt(
                        session,
                        method,
                        url,
                        where,
                        params=_pairs(params),
                        data=_pairs(data),
                        headers=send_headers,
                        timeout=client_timeout,
                        allow_redirects=allow_redirects,
                        seconds=seconds,
                    )
                finally:
                    self.limit.release()
                status = response.status_code
                if status == 429:
                    self.limit.throttled_at(sent)
                else:
                    self.limit.succeeded()
                if not retryable(status, idempotent=idempotent):
                    return response
                wait = self.policy.delay(
                    attempt, parse_retry_after(_header(response, "Retry-After"))
                )
                elapsed = time.monotonic() - started
                if attempt >= self.policy.attempts or elapsed + wait > self.policy.total:
                    log.warning(
                        "%s %s: HTTP %d, giving up after %d attempts",
                        method,
                        where,
                        status,
                        attempt,
                    )
                    return response
                self.retries += 1
                log.warning(
                    "%s %s: HTTP %d, retry %d/%d in %.2f s",
                    method,
                    where,
                    status,
                    attempt,
                    self.policy.attempts - 1,
                    wait,
                )
                await asyncio.sleep(wait)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        where: str,
        *,
        seconds: float,
        **kwargs: Any,
    ) -> Response:
        started = time.monotonic()
        try:
            async with session.request(method, url, **kwargs) as answer:
                text = await answer.text()
                response = Response(answer.status, text, answer.headers)
        except asyncio.TimeoutError:
            self._outcome(None)
            log.warning("%s %s: no answer within %.1f s", method, where, seconds)
            raise NoAnswer(f"Twilio did not answer within {seconds:g} s", timed_out=True) from None
        except aiohttp.ClientError as exc:
            self._outcome(None)
            host = urlsplit(url).netloc
            log.warning("%s %s: cannot reach %s (%s)", method, where, host, type(exc).__name__)
            raise NoAnswer(f"cannot reach Twilio at {host}", timed_out=False) from None
        log.debug(
            "%s %s -> %d in %.0f ms",
            method,
            where,
            answer.status,
            (time.monotonic() - started) * 1000,
        )
        self._outcome(answer.status)
        return response

    def _outcome(self, status: int | None) -> None:
        if self.on_outcome is not None:
            self.on_outcome(status)


def _pairs(values: Mapping[str, object] | None) -> list[tuple[str, str]] | None:
    """Form or query pairs; the SDK passes lists for repeated fields such as event names."""
    if not values:
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        items = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((key, str(item)) for item in items)
    return pairs


def _header(response: Response, name: str) -> str | None:
    headers = response.headers or {}
    value = headers.get(name)
    return str(value) if value is not None else None


def _short(url: str) -> str:
    """The path alone, for logs (the account SID is not secret, but the host is noise)."""
    return urlsplit(url).path
