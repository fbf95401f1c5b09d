"""Tables of their own in the journal's SQLite file, for callbacks that are not a conference's
(recording status, real-time transcription): each has its own connection and rare, tiny writes
committed one by one (the console makes them on the journal's writer thread)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Generic, TypeVar

from moderator.domain.events import MalformedCallback
from moderator.store.journal_file import JournalError, JournalFile

log = logging.getLogger(__name__)


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


E = TypeVar("E")
Parse = Callable[[Mapping[str, str], datetime], E]


class CallbackTable(Generic[E]):
    """One kind of callback's append-only table: when it arrived, a few columns to find it by,
    and the whole form as JSON, parsed again (by `parse`) when read."""

    def __init__(
        self,
        path: Path,
        schema: str,
        table: str,
        columns: tuple[str, ...],
        parse: Parse[E],
        what: str,
        *,
        read_only: bool = False,
    ) -> None:
        """`read_only` (the report): nothing is written, not even the table."""
        self.path = path
        self._table = table
        self._columns = columns
        self._parse = parse
        self._what = what  # "recording", "transcription": how messages name the callbacks
        self._db = connect(path, schema, f"{what}s", read_only=read_only)

    def close(self) -> None:
        self._db.close()

    def insert(self, received_at: datetime, form: Mapping[str, str], *values: object) -> None:
        """Committed when this returns (`values` fill `columns`); JournalError if not."""
        names = ", ".join(("received_at", *self._columns, "form"))
        marks = ", ".join("?" * (len(self._columns) + 2))
        at = received_at.astimezone(timezone.utc).isoformat(timespec="milliseconds")
        try:
            self._db.execute(
                f"INSERT INTO {self._table} ({names}) VALUES ({marks})",
                (at, *values, json.dumps(dict(form))),
            )
        except sqlite3.Error as exc:
            raise JournalError(f"{self._what} callback not stored: {exc}") from exc

    def events(self, column: str | None = None, values: Collection[str] = ()) -> Iterator[E]:
        """Every stored callback, parsed again, in arrival order; with `column`, only those
        whose `column` (one of `columns`) holds one of `values`."""
        query = f"SELECT received_at, form FROM {self._table}"
        params: tuple[str, ...] = ()
        if column is not None:
            assert column in self._columns, column
            params = tuple(values)
            query += f" WHERE {column} IN ({', '.join('?' * len(params))})"
        try:
            rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        except sqlite3.DatabaseError as exc:  # no such table (never used), or damaged
            if "no such table" not in str(exc):
                log.warning("cannot read the %ss in %s: %s", self._what, self.path, exc)
            return
        for received_at, form in rows:
            try:
                yield self._parse(json.loads(form), datetime.fromisoformat(received_at))
            except MalformedCallback as exc:  # stored by an older version: skip, say so
                log.warning("skipping a stored %s callback: %s", self._what, exc)
