"""Call status callbacks (how each call to the number ended) on disk: their own table in the
journal's SQLite file (the callbacks table is keyed by conference; these name only the call)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path

from moderator.domain.call_status import CallStatusEvent, parse_call_status
from moderator.domain.events import MalformedCallback
from moderator.store.journal import JournalError
from moderator.store.journal_rows import iso, utc
from moderator.store.side_tables import connect

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS call_status_callbacks (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    call_sid TEXT NOT NULL,
    status TEXT NOT NULL,
    form TEXT NOT NULL              -- the whole form as JSON: enough to replay it
);
"""


class CallStatusLog:
    """Append-only, on a connection of its own (see side_tables.py)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only` (the report): nothing is written, not even the table."""
        self.path = path
        self._db = connect(path, _SCHEMA, "call statuses", read_only=read_only)

    def close(self) -> None:
        self._db.close()

    def append(
        self, received_at: datetime, form: Mapping[str, str], event: CallStatusEvent
    ) -> None:
        """Committed when this returns; JournalError if it could not be."""
        try:
            self._db.execute(
                "INSERT INTO call_status_callbacks (received_at, call_sid, status, form)"
                " VALUES (?, ?, ?, ?)",
                (iso(received_at), event.call_sid, event.status, json.dumps(dict(form))),
            )
        except sqlite3.Error as exc:
            raise JournalError(f"call status callback not stored: {exc}") from exc

    def events(self) -> Iterator[CallStatusEvent]:
        """Every stored callback, parsed again, in arrival order."""
        try:
            rows = self._db.execute(
                "SELECT received_at, form FROM call_status_callbacks ORDER BY id"
            ).fetchall()
        except sqlite3.DatabaseError as exc:  # no such table (never connected), or damaged
            if "no such table" not in str(exc):
                log.warning("cannot read the call statuses in %s: %s", self.path, exc)
            return
        for received_at, form in rows:
            try:
                yield parse_call_status(json.loads(form), utc(received_at))
            except (MalformedCallback, ValueError, TypeError) as exc:
                log.warning("skipping a stored call status callback: %s", exc)
