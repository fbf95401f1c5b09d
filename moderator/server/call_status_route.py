"""The number's call status callback: parse, journal (before the 204), then tell the door.

How a call ended is stored whatever it says (an unknown CallStatus too); the door reads the
ends of calls it still held (domain/call_status.py, server/door_routes.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from aiohttp import web

from moderator.domain.call_status import CallStatusEvent, parse_call_status
from moderator.domain.clock import utc_now
from moderator.domain.events import MalformedCallback
from moderator.server.recording_route import WriteOffLoop, write_here
from moderator.store.call_status_log import CallStatusLog
from moderator.store.journal import JournalError

log = logging.getLogger(__name__)


class CallStatusIngest:
    """Takes a verified call status form: stored, or the HTTP error that says why not."""

    def __init__(
        self,
        store: CallStatusLog,
        clock: Callable[[], datetime] = utc_now,
        write: WriteOffLoop = write_here,
    ) -> None:
        self._store = store
        self._write = write
        self._clock = clock
        self.received = 0

    async def take(self, form: Mapping[str, str]) -> CallStatusEvent:
        """The stored callback; 400 for a malformed form, 500 when it could not be stored."""
        received_at = self._clock()
        try:
            event = parse_call_status(form, received_at)
        except MalformedCallback as exc:
            log.warning("rejected a malformed call status callback: %s", exc)
            raise web.HTTPBadRequest(text=f"malformed callback: {exc}") from None
        try:
            await self._write(lambda: self._store.append(received_at, form, event))
        except JournalError as exc:
            log.error("could not journal a call status callback (answered 500): %s", exc)
            raise web.HTTPInternalServerError(text="could not store the callback") from None
        self.received += 1
        log.info("call %s: %s", event.call_sid, event.status)
        return event
