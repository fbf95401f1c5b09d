"""Recording status callbacks on disk: their own table in the journal's SQLite file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from moderator.domain.recordings import RecordingEvent, RecordingLedger, parse_recording_callback
from moderator.store.side_tables import CallbackTable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS recording_callbacks (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    conference_sid TEXT NOT NULL,
    recording_sid TEXT NOT NULL,
    status TEXT NOT NULL,
    form TEXT NOT NULL              -- the whole form as JSON: enough to replay it
);
"""


class RecordingLog(CallbackTable[RecordingEvent]):
    """Append-only, on a connection of its own (see side_tables.py)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only` (the report): nothing is written, not even the table."""
        columns = ("conference_sid", "recording_sid", "status")
        super().__init__(
            path,
            _SCHEMA,
            "recording_callbacks",
            columns,
            parse_recording_callback,
            "recording",
            read_only=read_only,
        )

    def append(self, received_at: datetime, form: Mapping[str, str], event: RecordingEvent) -> None:
        """Committed when this returns; JournalError if it could not be."""
        self.insert(received_at, form, event.conference_sid, event.recording_sid, event.status)

    def ledger(self) -> RecordingLedger:
        """Where every recording stands, from what is stored."""
        ledger = RecordingLedger()
        for event in self.events():
            ledger.apply(event)
        return ledger
