"""The number's call status callback: parse, journal (before the 204), then tell the door.

How a call ended is stored whatever it says (an unknown CallStatus too); the door reads the
ends of calls it still held (domain/call_status.py, server/door_routes.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from moderator.domain.call_status import CallStatusEvent, parse_call_status
from moderator.domain.clock import utc_now
from moderator.server.side_ingest import SideIngest, WriteOffLoop, write_here
from moderator.store.call_status_log import CallStatusLog

log = logging.getLogger(__name__)


class CallStatusIngest:
    """Takes a verified call status form: stored, or the HTTP error that says why not."""

    def __init__(
        self,
        store: CallStatusLog,
        clock: Callable[[], datetime] = utc_now,
        write: WriteOffLoop = write_here,
    ) -> None:
        self._ingest = SideIngest("call status", parse_call_status, store.append, clock, write)

    @property
    def received(self) -> int:
        return self._ingest.received

    async def take(self, form: Mapping[str, str]) -> CallStatusEvent:
        """The stored callback; 400 for a malformed form, 500 when it could not be stored."""
        event = await self._ingest.take(form)
        log.info("call %s: %s", event.call_sid, event.status)
        return event
