"""Keeps the webhook server's connections few and busy: idle and slow clients are closed."""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Awaitable, Callable
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


class ConnectionGuard:
    """Protocol factory and sweeper around aiohttp's server.

    Each connection gets HEADER_TIMEOUT to deliver a request's headers (aiohttp itself has no
    such timeout); a request being handled is never cut. At the limit the oldest idle connection
    makes room for the new one, so a flood of idle sockets cannot lock Twilio out.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._server: web.Server | None = None
        self.limit = limit if limit is not None else connection_limit()
        self._opened: dict[RequestHandler, float] = {}  # handler -> last time it was busy
        self._busy: dict[RequestHandler, int] = {}
        self._sweeper: asyncio.TimerHandle | None = None
        self._flooded = False
        self.closed_idle = 0
        self.refused = 0

    def attach(self, server: web.Server) -> None:
        """The aiohttp server whose connections this guards (known once its runner is set up)."""
        self._server = server

    @property
    def open_connections(self) -> int:
        return len(self._opened)

    # ---- what aiohttp and asyncio call ------------------------------------------------------

    def __call__(self) -> asyncio.BaseProtocol:
        now = asyncio.get_running_loop().time()
        if len(self._opened) >= self.limit:
            self._note_flood()
            if not self._close_oldest_idle():
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
                "connection flood over: %d idle connections closed, %d refused so far",
                self.closed_idle,
                self.refused,
            )
        self._sweeper = loop.call_later(SWEEP_INTERVAL, self._sweep)

    def _forget_closed(self) -> None:
        for handler in list(self._opened):
            transport = handler.transport
            if transport is None or transport.is_closing():
                del self._opened[handler]

    def _close_oldest_idle(self) -> bool:
        self._forget_closed()
        if len(self._opened) < self.limit:
            return True
        idle = [(since, id(h), h) for h, since in self._opened.items() if h not in self._busy]
        if not idle:
            return False
        self._close(min(idle)[2])
        return True

    def _close(self, handler: RequestHandler) -> None:
        self._opened.pop(handler, None)
        self.closed_idle += 1
        if handler.transport is not None:
            handler.transport.close()

    def _note_flood(self) -> None:
        if not self._flooded:
            self._flooded = True
            log.warning(
                "%d connections open, the limit: closing the oldest idle ones"
                " (logged once per flood)",
                len(self._opened),
            )


class AcceptFailureFilter:
    """Logs asyncio's 'socket.accept() out of system resource' once a minute, not per attempt."""

    QUIET_SECONDS = 60.0

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._previous = loop.get_exception_handler()
        self._last_logged: float | None = None
        self.suppressed = 0
        loop.set_exception_handler(self)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if _ACCEPT_FAILURE in str(context.get("message", "")):
            now = loop.time()
            if self._last_logged is not None and now - self._last_logged < self.QUIET_SECONDS:
                self.suppressed += 1
                return
            self._last_logged = now
            log.error(
                "cannot accept connections: %s (%d similar failures since the last report)",
                context.get("exception"),
                self.suppressed,
            )
            self.suppressed = 0
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
        self._clock = clock
        self._last: float | None = None
        self.suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError):
            return True
        now = self._clock()
        if self._last is not None and now - self._last < self.QUIET_SECONDS:
            self.suppressed += 1
            return False
        self._last = now
        reason = str(error.message).splitlines()[0][:80]
        record.msg = "malformed HTTP request refused: %s (%d more since the last report)"
        record.args = (reason, self.suppressed)
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        self.suppressed = 0
        return True
