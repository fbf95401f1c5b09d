"""Real-time transcription callbacks on disk: their own table in the journal's SQLite file
(the callbacks table is keyed by conference, and these name only the call)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from pathlib import Path

from moderator.domain.transcripts import (
    Transcript,
    TranscriptionEvent,
    parse_transcription_callback,
)
from moderator.store.journal import JournalError
from moderator.store.side_tables import CallbackTable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS transcription_callbacks (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    call_sid TEXT NOT NULL,
    transcription_sid TEXT NOT NULL,
    event TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    form TEXT NOT NULL              -- the whole form as JSON: enough to replay it
);
-- a start folds only the lines of the calls in meetings still open
CREATE INDEX IF NOT EXISTS transcription_callbacks_by_call
    ON transcription_callbacks (call_sid, id);
"""


class TranscriptLog(CallbackTable[TranscriptionEvent]):
    """Append-only, on a connection of its own (see side_tables.py)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only` (the report): nothing is written, not even the table."""
        columns = ("call_sid", "transcription_sid", "event", "sequence")
        super().__init__(
            path,
            _SCHEMA,
            "transcription_callbacks",
            columns,
            parse_transcription_callback,
            "transcription",
            read_only=read_only,
        )

    def append(
        self, received_at: datetime, form: Mapping[str, str], event: TranscriptionEvent
    ) -> None:
        """Committed when this returns; JournalError if it could not be."""
        self.insert(
            received_at,
            form,
            event.call_sid,
            event.transcription_sid,
            event.event,
            event.sequence,
        )

    def transcript(self, call_sids: Collection[str] | None = None) -> Transcript:
        """The transcript as every stored callback makes it (of `call_sids` only, if given:
        a start reads the lines of the open meetings' callers, not every meeting's ever)."""
        transcript = Transcript()
        if call_sids is None:
            transcript.extend(self.events())
        else:
            transcript.extend(self.events("call_sid", call_sids))
        return transcript


def journal_transcript(path: Path) -> Transcript:
    """The transcript the journal's file holds (none stored: an empty one), read only."""
    try:
        store = TranscriptLog(path, read_only=True)
    except JournalError:
        return Transcript()
    try:
        return store.transcript()
    finally:
        store.close()
