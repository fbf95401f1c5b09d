"""Signed, form-encoded delivery of conference status callbacks with retry and faults."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from twilio.request_validator import RequestValidator
from yarl import URL

from moderator.sim.faults import Faults
from moderator.sim.stats import Stats

log = logging.getLogger(__name__)

USER_AGENT = "TwilioProxy/1.1"


def _exact(url: str) -> URL:
    """The URL sent exactly as signed (yarl would otherwise re-quote the query string)."""
    return URL(url, encoded=True)


RETRY_CLASSES = frozenset({"4xx", "5xx", "ct", "rt"})


@dataclass(frozen=True)
class WebhookRetryPolicy:
    """Twilio's webhook connection overrides `rc` (retries, 0-5, default 1) and `rp` (what is
    retried: 4xx, 5xx, ct = connect failure, rt = read timeout, all; default ct,rt). So by
    default an HTTP error answer (a 500 included) is not retried."""

    count: int = 1
    on: frozenset[str] = frozenset({"ct", "rt"})


def connection_overrides(url: str) -> tuple[str, WebhookRetryPolicy]:
    """The URL to call (the `#…` fragment is never sent) and the retry policy it asks for."""
    base, _, fragment = url.partition("#")
    policy = WebhookRetryPolicy()
    values = dict(parse_qsl(fragment))
    if "rc" in values:
        with contextlib.suppress(ValueError):
            policy = replace(policy, count=max(0, min(5, int(values["rc"]))))
    if "rp" in values:
        words = {w.strip() for w in values["rp"].split(",")}
        on = RETRY_CLASSES if "all" in words else frozenset(words & RETRY_CLASSES)
        policy = replace(policy, on=on)
    return base, policy


@dataclass(frozen=True)
class Delivery:
    """One callback: where it goes, the exact form, its signature and retry policy."""

    url: str
    params: dict[str, str]
    signature: str
    retry: WebhookRetryPolicy = WebhookRetryPolicy()
    method: str = "POST"

    def describe(self) -> str:
        """Event and sequence number, never the signature."""
        return (
            f"{self.params.get('StatusCallbackEvent')} #{self.params.get('SequenceNumber')} "
            f"of {self.params.get('ConferenceSid')}"
        )


class Dispatcher:
    """Posts callbacks in order per conference; one ClientSession; retries as Twilio does
    (connection failures and timeouts once, unless the URL's `#rc=…&rp=…` says otherwise)."""

    def __init__(
        self,
        auth_token: str,
        faults: Faults,
        stats: Stats,
        rng: random.Random,
        *,
        timeout: float = 5.0,
        retry_delay: float = 0.5,
    ) -> None:
        self._validator = RequestValidator(auth_token)
        self._faults = faults
        self._stats = stats
        self._rng = rng
        self._timeout = timeout
        self.retry_delay = retry_delay
        self._session: aiohttp.ClientSession | None = None
        self._queues: dict[str, asyncio.Queue[Delivery]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    def set_faults(self, faults: Faults) -> None:
        """Use another Faults object (the simulator's may be replaced)."""
        self._faults = faults

    async def start(self) -> None:
        """Open the ClientSession (inside the running loop)."""
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self._timeout, connect=min(self._timeout, 5.0))
            self._session = aiohttp.ClientSession(timeout=timeout)

    # ----- pending accounting --------------------------------------------------------------
    def reserve(self) -> None:
        """Count work that will enqueue callbacks soon, so `drain` waits for it."""
        self._pending += 1
        self._idle.clear()

    def release(self) -> None:
        """The reserved work is done (its callbacks, if any, are queued)."""
        self._pending -= 1
        if self._pending <= 0:
            self._pending = 0
            self._idle.set()

    async def drain(self) -> None:
        """Wait until every queued delivery (including retries and delayed ones) has finished."""
        while self._pending:
            await self._idle.wait()

    # ----- delivery ------------------------------------------------------------------------
    def sign(self, url: str, params: dict[str, str], method: str = "POST") -> tuple[str, str]:
        """The URL to request and its X-Twilio-Signature: a GET carries the parameters in
        its query string and is signed over that full URL alone, as Twilio does."""
        if method == "GET":
            joiner = "&" if "?" in url else "?"
            full = f"{url}{joiner}{urlencode(params)}" if params else url
            return full, self._validator.compute_signature(full, {})
        return url, self._validator.compute_signature(url, params)

    def enqueue(self, url: str, params: dict[str, str], method: str = "POST") -> None:
        """Queue a callback; deliveries for one conference go out in order."""
        if self._closed:
            return
        self._stats.callbacks_generated += 1
        target, retry = connection_overrides(url)
        signed_target, signature = self.sign(target, params, method)
        delivery = Delivery(signed_target, params, signature, retry, method)
        key = params.get("ConferenceSid", "")
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Queue()
            self.spawn(self._worker(queue))
        self.reserve()
        queue.put_nowait(delivery)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run a background task the dispatcher cancels on close."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def spawn_pending(self, make: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Like `spawn` for `make()`, and `drain` waits for it."""
        self.reserve()

        async def run() -> None:
            try:
                await make()
            finally:
                self.release()

        return self.spawn(run())

    async def _worker(self, queue: asyncio.Queue[Delivery]) -> None:
        while True:
            delivery = await queue.get()
            try:
                await self._deliver(delivery)
            except Exception:  # never let one delivery stop the queue
                log.exception("callback delivery crashed: %s", delivery.describe())
            finally:
                self.release()

    async def _deliver(self, delivery: Delivery) -> None:
        drop, reorder, duplicate = (self._rng.random() for _ in range(3))
        faults = self._faults
        if drop < faults.drop:
            self._stats.callbacks_dropped += 1
            log.info("fault: dropped callback %s", delivery.describe())
            return
        if reorder < faults.reorder:
            self._stats.callbacks_reordered += 1
            delay = faults.reorder_delay
            self.spawn_pending(lambda: self._later(delivery, delay))
            return
        await self._send(delivery)
        if duplicate < faults.duplicate:
            self._stats.callbacks_duplicated += 1
            await self._send(delivery)

    async def _later(self, delivery: Delivery, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._send(delivery)

    async def _send(self, delivery: Delivery) -> None:
        """One attempt now; a failure the retry policy covers is retried in the background."""
        down = self._rng.random() < self._faults.target_down
        outcome = await self._attempt(delivery, fake_refusal=down)
        if outcome is None:
            return
        if delivery.retry.count and outcome in delivery.retry.on:
            self._stats.callbacks_retried += 1
            self.spawn_pending(lambda: self._retry(delivery, delivery.retry.count))
        else:
            self._failed(delivery, outcome)

    async def _retry(self, delivery: Delivery, left: int) -> None:
        await asyncio.sleep(self.retry_delay)
        outcome = await self._attempt(delivery, fake_refusal=False)
        if outcome is None:
            return
        if left > 1 and outcome in delivery.retry.on:
            await self._retry(delivery, left - 1)
        else:
            self._failed(delivery, outcome)

    def _failed(self, delivery: Delivery, outcome: str) -> None:
        self._stats.callbacks_failed += 1
        log.warning("callback %s to %s failed (%s)", delivery.describe(), delivery.url, outcome)

    async def _attempt(self, delivery: Delivery, *, fake_refusal: bool) -> str | None:
        """None when delivered; else the failure's class: ct, rt, 4xx or 5xx."""
        if fake_refusal:
            log.info("fault: target down for callback %s", delivery.describe())
            return "ct"
        if self._session is None:
            return "ct"
        headers = {"User-Agent": USER_AGENT, "X-Twilio-Signature": delivery.signature}
        body: str | None = None
        if delivery.method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(delivery.params)
        try:
            async with self._session.request(
                delivery.method, _exact(delivery.url), data=body, headers=headers
            ) as resp:
                await resp.read()
                status = resp.status
        except asyncio.TimeoutError:
            log.info("callback %s to %s timed out", delivery.describe(), delivery.url)
            return "rt"
        except (aiohttp.ClientError, OSError) as exc:
            log.info("callback %s to %s failed: %s", delivery.describe(), delivery.url, exc)
            return "ct"
        if 200 <= status < 300:
            self._stats.callbacks_sent += 1
            return None
        log.info("callback %s answered %s", delivery.describe(), status)
        return "4xx" if status < 500 else "5xx"

    async def request(self, url: str, method: str, params: dict[str, str]) -> tuple[int, str, str]:
        """A signed voice webhook (Voice URL, <Gather> action, <Redirect>): status, content
        type and body. Raises aiohttp.ClientError, OSError or TimeoutError when unreachable."""
        if self._session is None:
            raise aiohttp.ClientConnectionError("the simulator is not started")
        target, signature = self.sign(url, params, method)
        headers = {"User-Agent": USER_AGENT, "X-Twilio-Signature": signature}
        body: str | None = None
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(params)
        async with self._session.request(
            method, _exact(target), data=body, headers=headers
        ) as resp:
            return resp.status, resp.content_type, await resp.text()

    async def close(self) -> None:
        """Cancel every delivery and close the session; idempotent."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._queues.clear()
        self._pending = 0
        self._idle.set()
        if self._session is not None:
            await self._session.close()
            self._session = None
