"""Helpers for the simulator tests: a callback receiver, SDK clients, a threaded simulator."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from tests.helpers.polling import poll_until

T = TypeVar("T")
SPEED = 100.0


@dataclass
class Received:
    """One callback as the receiver saw it."""

    url: str
    form: dict[str, str]
    signature: str

    @property
    def event(self) -> str:
        return self.form["StatusCallbackEvent"]

    @property
    def seq(self) -> int:
        return int(self.form["SequenceNumber"])


@dataclass
class Receiver:
    """A webhook target that records every callback (and can answer with an error)."""

    url: str = ""
    items: list[Received] = field(default_factory=list)
    status: int = 204
    log: list[str] = field(default_factory=list)  # arrival order, shared with tests

    def events(self, conference_sid: str | None = None) -> list[str]:
        return [
            r.event
            for r in self.items
            if conference_sid is None or r.form["ConferenceSid"] == conference_sid
        ]

    def of(self, event: str) -> list[Received]:
        return [r for r in self.items if r.event == event]

    async def wait_for(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        await poll_until(
            check, "the callbacks", timeout=timeout, detail=lambda: f"received {self.events()}"
        )

    def assert_signed(self, auth_token: str) -> None:
        validator = RequestValidator(auth_token)
        for r in self.items:
            assert validator.validate(r.url, r.form, r.signature), r.form


def make_sim(**kwargs: Any) -> Simulator:
    kwargs.setdefault("seed", 7)
    kwargs.setdefault("speed", SPEED)
    kwargs.setdefault("faults", Faults())
    return Simulator(**kwargs)


def async_client_for(sim: Simulator, token: str | None = None) -> tuple[Client, Any]:
    """The real async twilio SDK pointed at `sim`, and its HTTP client (close it when done)."""
    http = AsyncTwilioHttpClient(timeout=5)
    twilio = Client(sim.account_sid, token or sim.auth_token, http_client=http)
    twilio.api.base_url = sim.base_url
    return twilio, http


class ThreadedSim:
    """A Simulator on its own event loop in a background thread (for the sync SDK client)."""

    def __init__(self, **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.sim: Simulator = self.call(self._make(kwargs))
        self.base_url = self.call(self.sim.start())

    async def _make(self, kwargs: dict[str, Any]) -> Simulator:
        return make_sim(**kwargs)

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def run(self, fn: Callable[[], T]) -> T:
        async def wrapper() -> T:
            return fn()

        return self.call(wrapper())

    def close(self) -> None:
        self.call(self.sim.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


@dataclass
class TwimlApp:
    """Serves `pages[path]` as TwiML and records each request (path, method, form, signed?)."""

    base: str = ""
    pages: dict[str, str | tuple[int, str]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], bool]] = field(default_factory=list)
    token: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    def form(self, path: str) -> dict[str, str]:
        return next(form for p, _m, form, _ok in self.requests if p == path)


def twiml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


async def until(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    await poll_until(check, what, timeout=timeout)


def point(sim: Simulator, app: TwimlApp, path: str = "/voice") -> None:
    sim.set_voice_url(LINE_NUMBER, app.url(path))


async def room(sim: Simulator, receiver: Receiver, *labels: str) -> tuple[str, list[str]]:
    """A conference "Room" calling back to `receiver`, joined by `labels` in order: its SID and
    their call SIDs."""
    conf = sim.create_conference("Room", status_callback=receiver.url)
    return conf, [await sim.join(conf, label=label) for label in labels]
