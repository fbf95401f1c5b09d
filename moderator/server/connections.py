"""Keeps the webhook server's connections few and busy: idle and slow clients are closed.

Also the log's side of a flood: what clients can make us log (rejected requests, malformed
HTTP, accept failures) is said a bounded number of times a minute, with a count of the rest,
so a flood cannot rotate the log's history away.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

# A request's headers must be complete this long after the connection opened or after the
# previous answer on it; an idle keep-alive connection is closed after the same time.
HEADER_TIMEOUT = 10.0
SWEEP_INTERVAL = 1.0
MAX_CONNECTIONS = 256  # Twilio opens a handful; far below a desktop's 1,024 open files
_ACCEPT_FAILURE = "out of system resource"


def connection_limit() -> int:
    """MAX_CONNECTIONS, or a quarter of the open-file limit when that is lower."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft // 4))


class _Rejected(asyncio.Protocol):
    """Stands in for a connection that cannot be served: it is closed at once."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class LogBudget:
    """At most `burst` lines per `window` seconds; the ones refused are counted.

    `allow()` is None for a line to drop, else how many were dropped since the last one let
    through (for that line to say), so the log keeps a bounded trace of a flood and its size.
    """

    def __init__(self, clock: Callable[[], float], burst: int, window: float = 60.0) -> None:
        self._clock = clock
        self.burst = burst
        self.window = window
        self._window_start: float | None = None
        self._used = 0
        self.suppressed = 0

    def allow(self) -> int | None:
        now = self._clock()
        if self._window_start is None or now - self._window_start >= self.window:
            self._window_start, self._used = now, 0
        if self._used >= self.burst:
            self.suppressed += 1
            return None
        self._used += 1
        dropped, self.suppressed = self.suppressed, 0
        return dropped


class ConnectionGuard:
    """Protocol factory and sweeper around aiohttp's server.

    Each connection gets HEADER_TIMEOUT to deliver a request's headers (aiohttp itself has no
    such timeout). At the limit the connection that has waited longest, idle or still sending a
    request's body, makes room for the new one, so a flood of idle sockets or of slow bodies
    cannot lock Twilio out. A request being handled past its body (waiting for the journal,
    say) is never cut.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._server: web.Server | None = None
        self.limit = limit if limit is not None else connection_limit()
        self._opened: dict[RequestHandler, float] = {}  # handler -> last time it was busy
        self._busy: dict[RequestHandler, int] = {}
        self._reading: dict[RequestHandler, float] = {}  # handler -> when its body was awaited
        self._sweeper: asyncio.TimerHandle | None = None
        self._flooded = False
        self.closed_idle = 0  # idle connections closed (swept, or to make room)
        self.closed_slow = 0  # connections closed to make room while they sent a body
        self.refused = 0

    def attach(self, server: web.Server) -> None:
        """The aiohttp server whose connections this guards (known once its runner is set up)."""
        self._server = server

    @property
    def open_connections(self) -> int:
        return len(self._opened)

    @property
    def reading_bodies(self) -> int:
        """Connections whose request's body is still coming in (the ones room is made from)."""
        return len(self._reading)

    # ---- what aiohttp and asyncio call ------------------------------------------------------

    def __call__(self) -> asyncio.BaseProtocol:
        now = asyncio.get_running_loop().time()
        if len(self._opened) >= self.limit:
            self._note_flood()
            if not self._make_room():
                self.refused += 1
                return _Rejected()
        assert self._server is not None, "attach() the aiohttp server first"
        handler = self._server()
        self._opened[handler] = now
        return handler

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Marks a connection busy while one of its requests is handled."""
        protocol = request.protocol
        self._busy[protocol] = self._busy.get(protocol, 0) + 1
        try:
            return await handler(request)
        finally:
            self._busy[protocol] -= 1
            if not self._busy[protocol]:
                del self._busy[protocol]
            if protocol in self._opened:
                self._opened[protocol] = asyncio.get_running_loop().time()

    @contextmanager
    def reading_body(self, protocol: object) -> Iterator[None]:
        """While a request's body comes in, its connection may be closed to make room.

        Twilio sends its small bodies with the headers, so the connection that has been
        reading a body longest when the server is full is a slow client, not Twilio.
        """
        if not isinstance(protocol, RequestHandler):
            yield
            return
        self._reading[protocol] = asyncio.get_running_loop().time()
        try:
            yield
        finally:
            self._reading.pop(protocol, None)

    # ---- sweeping ---------------------------------------------------------------------------

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().call_later(SWEEP_INTERVAL, self._sweep)

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        self._forget_closed()
        deadline = loop.time() - HEADER_TIMEOUT
        for handler, since in list(self._opened.items()):
            if handler not in self._busy and since < deadline:
                self._close(handler)
        if self._flooded and len(self._opened) < self.limit // 2:
            self._flooded = False
            log.warning(
                "connection flood over: %d idle and %d slow connections closed, %d refused so far",
                self.closed_idle,
                self.closed_slow,
                self.refused,
            )
        self._sweeper = loop.call_later(SWEEP_INTERVAL, self._sweep)

    def _forget_closed(self) -> None:
        for handler in list(self._opened):
            transport = handler.transport
            if transport is None or transport.is_closing():
                del self._opened[handler]
                self._reading.pop(handler, None)

    def _make_room(self) -> bool:
        """Close the connection that has waited longest (idle, or on its body); False if every
        connection is handling a request past its body."""
        self._forget_closed()
        if len(self._opened) < self.limit:
            return True
        waiting = [(since, id(h), h) for h, since in self._opened.items() if h not in self._busy]
        waiting += [(since, id(h), h) for h, since in self._reading.items() if h in self._opened]
        if not waiting:
            return False
        self._close(min(waiting)[2])
        return True

    def _close(self, handler: RequestHandler) -> None:
        self._opened.pop(handler, None)
        if self._reading.pop(handler, None) is not None:
            self.closed_slow += 1
        else:
            self.closed_idle += 1
        if handler.transport is not None:
            handler.transport.close()

    def _note_flood(self) -> None:
        if not self._flooded:
            self._flooded = True
            log.warning(
                "%d connections open, the limit: closing the oldest idle or slow ones"
                " (logged once per flood)",
                len(self._opened),
            )


class AcceptFailureFilter:
    """Logs asyncio's 'socket.accept() out of system resource' once a minute, not per attempt."""

    QUIET_SECONDS = 60.0

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._previous = loop.get_exception_handler()
        self._budget = LogBudget(loop.time, burst=1, window=self.QUIET_SECONDS)
        loop.set_exception_handler(self)

    @property
    def suppressed(self) -> int:
        return self._budget.suppressed

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if _ACCEPT_FAILURE in str(context.get("message", "")):
            dropped = self._budget.allow()
            if dropped is not None:
                log.error(
                    "cannot accept connections: %s (%d similar failures since the last report)",
                    context.get("exception"),
                    dropped,
                )
            return
        if self._previous is not None:
            self._previous(loop, context)
        else:
            loop.default_exception_handler(context)

    def remove(self) -> None:
        if self._loop.get_exception_handler() is self:
            self._loop.set_exception_handler(self._previous)


class BadRequestLog(logging.Filter):
    """Turns aiohttp's traceback for a malformed request (the client's fault) into one line.

    A client that sends garbage HTTP must not be able to fill the log with tracebacks: such
    records lose their traceback and are let through once a minute, with a count of the rest.
    Any other exception (a bug of ours) is logged as aiohttp logs it.
    """

    QUIET_SECONDS = 60.0

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__()
        self._budget = LogBudget(clock, burst=1, window=self.QUIET_SECONDS)

    @property
    def suppressed(self) -> int:
        return self._budget.suppressed

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError):
            return True
        dropped = self._budget.allow()
        if dropped is None:
            return False
        reason = str(error.message).splitlines()[0][:80]
        record.msg = "malformed HTTP request refused: %s (%d more since the last report)"
        record.args = (reason, dropped)
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
