"""Reading what a damaged journal still holds, and rebuilding it after copying the damage aside."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

TABLES: dict[str, tuple[str, ...]] = {
    "callbacks": (
        "received_at",
        "conference_sid",
        "sequence",
        "event",
        "call_sid",
        "form",
        "duplicates",
        "last_received_at",
        "digest",
    ),
    "actions": (
        "at",
        "conference_sid",
        "call_sid",
        "kind",
        "origin",
        "params",
        "ok",
        "confirmed",
        "error",
        "finished_at",
    ),
    "snapshots": ("taken_at", "conference_sid", "after_sequence", "body"),
}


@dataclass(frozen=True)
class Recovery:
    """What a repair at start-up did: rows kept, rows lost, and where the damaged file went."""

    damaged_copy: Path
    kept: int
    skipped: int

    def describe(self, journal: Path) -> str:
        return (
            f"the journal {journal} was damaged: {self.kept} rows recovered, {self.skipped}"
            f" could not be read; the damaged file is kept as {self.damaged_copy}"
        )


class RowCounter:
    """Counts rows a reader had to skip, per table."""

    def __init__(self) -> None:
        self.skipped: dict[str, int] = {}

    def skip(self, table: str) -> None:
        self.skipped[table] = self.skipped.get(table, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.skipped.values())


def readable_rows(
    db: sqlite3.Connection,
    table: str,
    columns: str,
    counter: RowCounter,
    where: str = "",
    params: tuple[object, ...] = (),
) -> Iterator[tuple[object, ...]]:
    """(id, *columns) of every row that can be read, in id order, even past damaged pages;
    with `where` (an SQL condition with `params`), of the rows it holds for.

    The fast path is one ordered scan; when SQLite reports damage part-way, the rest is read
    row by row by id, and each id that cannot be read is counted as skipped.
    """
    last_id = 0
    condition = f" AND ({where})" if where else ""
    try:
        for row in db.execute(
            f"SELECT id, {columns} FROM {table} WHERE 1{condition} ORDER BY id", params
        ):
            last_id = int(row[0])
            yield row
        return
    except sqlite3.DatabaseError as exc:
        log.warning("the journal's %s table is damaged after id %d: %s", table, last_id, exc)
    try:
        (max_id,) = db.execute(f"SELECT max(id) FROM {table}").fetchone()
    except sqlite3.DatabaseError:
        counter.skip(table)  # at least one row, and no way to know how many more
        return
    for row_id in range(last_id + 1, int(max_id or 0) + 1):
        try:
            row = db.execute(
                f"SELECT id, {columns} FROM {table} WHERE id = ?{condition}",
                (row_id, *params),
            ).fetchone()
        except sqlite3.DatabaseError:
            counter.skip(table)
            continue
        if row is not None:
            yield row


def is_damaged(db: sqlite3.Connection) -> str | None:
    """SQLite's own quick check: None when the file is sound, else its first complaint."""
    try:
        rows = db.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    verdict = str(rows[0][0]) if rows else "no answer"
    return None if verdict == "ok" else verdict


def copy_aside(path: Path) -> Path:
    """Copy the journal (and its WAL) next to it under a dated name; never overwrite a copy."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.damaged-{stamp}-{counter}{path.suffix}")
        counter += 1
    shutil.copy2(path, target)
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:  # committed pages not yet in the main file
        shutil.copy2(wal, Path(f"{target}-wal"))
    return target


def rebuild(path: Path, schema: str, version: int) -> Recovery:
    """Copy the damaged journal aside, then replace it with a new one holding every readable row.

    Raises OSError or sqlite3.Error when the copy cannot be made: then nothing is touched.
    """
    damaged_copy = copy_aside(path)
    counter = RowCounter()
    fresh_path = path.with_name(path.name + ".rebuilding")
    fresh_path.unlink(missing_ok=True)
    kept = 0
    source = sqlite3.connect(f"{damaged_copy.as_uri()}?mode=ro", uri=True)
    fresh = sqlite3.connect(fresh_path, isolation_level=None)
    try:
        fresh.executescript(schema)
        fresh.execute("BEGIN")
        for table, wanted in TABLES.items():
            present = _columns(source, table)
            if present is None:
                counter.skip(table)
                continue
            columns = [c for c in wanted if c in present]
            placeholders = ", ".join("?" for _ in range(len(columns) + 1))
            insert = f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES ({placeholders})"
            for row in readable_rows(source, table, ", ".join(columns), counter):
                try:
                    fresh.execute(insert, row)
                except sqlite3.Error:  # e.g. a NULL where the schema wants a value
                    counter.skip(table)
                    continue
                kept += 1
        fresh.execute("COMMIT")
        fresh.execute(f"PRAGMA user_version={version}")
    finally:
        source.close()
        fresh.close()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)  # both belong to the damaged file, now copied aside
    os.replace(fresh_path, path)
    return Recovery(damaged_copy=damaged_copy, kept=kept, skipped=counter.total)


def _columns(db: sqlite3.Connection, table: str) -> set[str] | None:
    try:
        rows = db.execute(f"PRAGMA table_info({table})").fetchall()
    except sqlite3.DatabaseError:
        return None
    return {str(row[1]) for row in rows} or None
