"""Recording status callbacks on disk: their own table in the journal's SQLite file."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path

from moderator.domain.events import MalformedCallback
from moderator.domain.recordings import RecordingEvent, RecordingLedger, parse_recording_callback
from moderator.store.journal import JournalError
from moderator.store.side_tables import connect

log = logging.getLogger(__name__)

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


class RecordingLog:
    """Append-only; a connection of its own (rare, tiny writes committed one by one; the
    console makes them on the journal's writer thread)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only` (the report): nothing is written, not even the table."""
        self.path = path
        self._db = connect(path, _SCHEMA, "recordings", read_only=read_only)

    def close(self) -> None:
        self._db.close()

    def append(self, received_at: datetime, form: Mapping[str, str], event: RecordingEvent) -> None:
        """Committed when this returns; JournalError if it could not be."""
        try:
            self._db.execute(
                "INSERT INTO recording_callbacks"
                " (received_at, conference_sid, recording_sid, status, form)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    received_at.astimezone(timezone.utc).isoformat(timespec="milliseconds"),
                    event.conference_sid,
                    event.recording_sid,
                    event.status,
                    json.dumps(dict(form)),
                ),
            )
        except sqlite3.Error as exc:
            raise JournalError(f"recording callback not stored: {exc}") from exc

    def events(self) -> Iterator[RecordingEvent]:
        """Every stored callback, parsed again, in arrival order."""
        try:
            rows = self._db.execute(
                "SELECT received_at, form FROM recording_callbacks ORDER BY id"
            ).fetchall()
        except sqlite3.DatabaseError as exc:  # no such table (never recorded), or damaged
            if "no such table" not in str(exc):
                log.warning("cannot read the recordings in %s: %s", self.path, exc)
            return
        for received_at, form in rows:
            try:
                at = datetime.fromisoformat(received_at)
                yield parse_recording_callback(json.loads(form), at)
            except MalformedCallback as exc:  # stored by an older version: skip, say so
                log.warning("skipping a stored recording callback: %s", exc)

    def ledger(self) -> RecordingLedger:
        """Where every recording stands, from what is stored."""
        ledger = RecordingLedger()
        for event in self.events():
            ledger.apply(event)
        return ledger
