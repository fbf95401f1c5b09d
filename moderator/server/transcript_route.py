"""The real-time transcription callback: parse, journal (before the 204), fold into the
meeting's transcript; listeners see each caption line as it changes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from aiohttp import web

from moderator.dispatch import Signal
from moderator.domain.clock import utc_now
from moderator.domain.transcripts import (
    Line,
    Transcript,
    TranscriptionEvent,
    parse_transcription_callback,
)
from moderator.server.side_ingest import SideIngest, WriteOffLoop, write_here
from moderator.store.transcript_log import TranscriptLog

log = logging.getLogger(__name__)


class TranscriptIngest:
    """Answers a verified transcription callback form (the route has checked its signature)."""

    def __init__(
        self,
        store: TranscriptLog,
        transcript: Transcript,
        clock: Callable[[], datetime] = utc_now,
        write: WriteOffLoop = write_here,
    ) -> None:
        self._ingest = SideIngest(
            "transcription", parse_transcription_callback, store.append, clock, write
        )
        self.transcript = transcript
        self.lines: Signal[[Line]] = Signal("transcript_ingest.lines")  # a caption shown/replaced
        self.events: Signal[[TranscriptionEvent]] = Signal("transcript_ingest.events")

    @property
    def received(self) -> int:
        return self._ingest.received

    async def answer(self, form: Mapping[str, str]) -> web.Response:
        """204 once stored; 400 for a malformed form, 500 when it could not be stored."""
        event = await self._ingest.take(form)
        line = self.transcript.apply(event)
        # the words are the callers': the log says what happened, never what was said
        log.debug(
            "transcription %s of %s: %s #%d",
            event.transcription_sid,
            event.call_sid,
            event.event,
            event.sequence,
        )
        # stored: whatever a listener does wrong, Twilio gets its 204 (the Signal logs it)
        self.events.emit(event)
        if line is not None:
            self.lines.emit(line)
        return web.Response(status=204)
