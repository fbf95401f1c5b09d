"""The recording status callback: parse, journal (before the 204), fold into the ledger."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from aiohttp import web

from moderator.dispatch import Signal
from moderator.domain.clock import utc_now
from moderator.domain.events import MalformedCallback
from moderator.domain.recordings import Recording, RecordingLedger, parse_recording_callback
from moderator.store.journal import JournalError
from moderator.store.recording_log import RecordingLog

log = logging.getLogger(__name__)

# Runs a blocking store write somewhere it cannot freeze the window (the journal's writer thread).
WriteOffLoop = Callable[[Callable[[], None]], Awaitable[None]]


async def write_here(write: Callable[[], None]) -> None:
    write()


class RecordingIngest:
    """Answers a verified recording callback form; listeners see each recording's new state."""

    def __init__(
        self,
        store: RecordingLog,
        ledger: RecordingLedger,
        clock: Callable[[], datetime] = utc_now,
        write: WriteOffLoop = write_here,
    ) -> None:
        self._store = store
        self._write = write
        self.ledger = ledger
        self._clock = clock
        self.recordings: Signal[[Recording]] = Signal("recording_ingest.recordings")
        self.received = 0

    async def answer(self, form: Mapping[str, str]) -> web.Response:
        """204 once stored; 400 for a malformed form, 500 when it could not be stored."""
        received_at = self._clock()
        try:
            event = parse_recording_callback(form, received_at)
        except MalformedCallback as exc:
            log.warning("rejected a malformed recording callback: %s", exc)
            raise web.HTTPBadRequest(text=f"malformed callback: {exc}") from None
        try:
            await self._write(lambda: self._store.append(received_at, form, event))
        except JournalError as exc:
            log.error("could not journal a recording callback (answered 500): %s", exc)
            raise web.HTTPInternalServerError(text="could not store the callback") from None
        self.received += 1
        recording = self.ledger.apply(event)
        log.info("recording %s of %s: %s", recording.sid, recording.conference_sid, event.status)
        # The callback is stored: whatever a listener does wrong, Twilio gets its 204 (a 500
        # now would only hide a stored callback behind a traceback); the Signal logs it.
        self.recordings.emit(recording)
        return web.Response(status=204)
