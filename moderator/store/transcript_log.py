"""Real-time transcription callbacks on disk: their own table in the journal's SQLite file
(the callbacks table is keyed by conference, and these name only the call)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path

from moderator.domain.events import MalformedCallback
from moderator.domain.transcripts import (
    Transcript,
    TranscriptionEvent,
    parse_transcription_callback,
)
from moderator.store.journal import JournalError
from moderator.store.side_tables import connect

log = logging.getLogger(__name__)

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
"""


class TranscriptLog:
    """Append-only, on a connection of its own (see side_tables.py)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only` (the report): nothing is written, not even the table."""
        self.path = path
        self._db = connect(path, _SCHEMA, "transcripts", read_only=read_only)

    def close(self) -> None:
        self._db.close()

    def append(
        self, received_at: datetime, form: Mapping[str, str], event: TranscriptionEvent
    ) -> None:
        """Committed when this returns; JournalError if it could not be."""
        try:
            self._db.execute(
                "INSERT INTO transcription_callbacks"
                " (received_at, call_sid, transcription_sid, event, sequence, form)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    received_at.astimezone(timezone.utc).isoformat(timespec="milliseconds"),
                    event.call_sid,
                    event.transcription_sid,
                    event.event,
                    event.sequence,
                    json.dumps(dict(form)),
                ),
            )
        except sqlite3.Error as exc:
            raise JournalError(f"transcription callback not stored: {exc}") from exc

    def events(self) -> Iterator[TranscriptionEvent]:
        """Every stored callback, parsed again, in arrival order."""
        try:
            rows = self._db.execute(
                "SELECT received_at, form FROM transcription_callbacks ORDER BY id"
            ).fetchall()
        except sqlite3.DatabaseError as exc:  # no such table (never captioned), or damaged
            if "no such table" not in str(exc):
                log.warning("cannot read the transcripts in %s: %s", self.path, exc)
            return
        for received_at, form in rows:
            try:
                yield parse_transcription_callback(
                    json.loads(form), datetime.fromisoformat(received_at)
                )
            except MalformedCallback as exc:  # stored by an older version: skip, say so
                log.warning("skipping a stored transcription callback: %s", exc)

    def transcript(self) -> Transcript:
        """The transcript as every stored callback makes it."""
        transcript = Transcript()
        transcript.extend(self.events())
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
