"""The recording status callback: parse, journal (before the 204), fold into the ledger."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from aiohttp import web

from moderator.dispatch import Signal
from moderator.domain.clock import utc_now
from moderator.domain.recordings import Recording, RecordingLedger, parse_recording_callback
from moderator.server.side_ingest import SideIngest, WriteOffLoop, write_here
from moderator.store.recording_log import RecordingLog

log = logging.getLogger(__name__)


class RecordingIngest:
    """Answers a verified recording callback form; listeners see each recording's new state."""

    def __init__(
        self,
        store: RecordingLog,
        ledger: RecordingLedger,
        clock: Callable[[], datetime] = utc_now,
        write: WriteOffLoop = write_here,
    ) -> None:
        self._ingest = SideIngest("recording", parse_recording_callback, store.append, clock, write)
        self.ledger = ledger
        self.recordings: Signal[[Recording]] = Signal("recording_ingest.recordings")

    @property
    def received(self) -> int:
        return self._ingest.received

    async def answer(self, form: Mapping[str, str]) -> web.Response:
        """204 once stored; 400 for a malformed form, 500 when it could not be stored."""
        event = await self._ingest.take(form)
        recording = self.ledger.apply(event)
        log.info("recording %s of %s: %s", recording.sid, recording.conference_sid, event.status)
        # The callback is stored: whatever a listener does wrong, Twilio gets its 204 (a 500
        # now would only hide a stored callback behind a traceback); the Signal logs it.
        self.recordings.emit(recording)
        return web.Response(status=204)
