"""Tables of their own in the journal's SQLite file, for callbacks that are not a conference's
(recording status, real-time transcription): each has its own connection and rare, tiny writes
committed one by one (the console makes them on the journal's writer thread)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from moderator.store.journal_file import JournalError, JournalFile


def connect(path: Path, schema: str, what: str, *, read_only: bool) -> sqlite3.Connection:
    """A connection to the journal's file with `schema` made, or, `read_only` (the report),
    one that writes nothing, not even the table. JournalError names `what` when it fails."""
    if read_only:
        return JournalFile(path).open_read_only()  # as the journal reads itself
    try:
        # written on the journal's writer thread, read on the loop's (at start)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout=5000")
        db.executescript(schema)
        return db
    except sqlite3.Error as exc:
        raise JournalError(f"cannot open the {what} in {path}: {exc}") from exc
