"""The journal's SQLite file: opening it (read-only for the report, or for writing), setting
aside an empty one, repairing a damaged one, migrating an older schema (after copying the file
aside, as Vorta does), and the whole-file check run early (beside the start's imports) or in the
background. The tables' API, and the writer thread that every write goes through, are
store/journal.py's."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from moderator.private import FILE_MODE, narrow
from moderator.store import clean_close
from moderator.store.salvage import Recovery, is_damaged, rebuild

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.sqlite3"
SCHEMA_VERSION = 3  # 2: duplicates counted on a row; 3: conference summaries and indexes
CLOSE_WAIT = 10.0  # seconds close() waits for queued writes before giving up on a stuck disk

SCHEMA = """
CREATE TABLE IF NOT EXISTS callbacks (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    conference_sid TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    event TEXT NOT NULL,
    call_sid TEXT,
    form TEXT NOT NULL,             -- the whole form as JSON: enough to replay it
    duplicates INTEGER NOT NULL DEFAULT 0,  -- identical deliveries after the first
    last_received_at TEXT,          -- when the latest duplicate arrived
    digest TEXT                     -- sha256 of form, NULL on rows from schema 1
);
CREATE INDEX IF NOT EXISTS callbacks_by_conference ON callbacks (conference_sid, sequence);
CREATE UNIQUE INDEX IF NOT EXISTS callbacks_once ON callbacks (conference_sid, sequence, digest)
    WHERE digest IS NOT NULL;
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    conference_sid TEXT NOT NULL,
    call_sid TEXT,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,           -- 'host' or the rule that took it
    params TEXT NOT NULL,           -- JSON
    ok INTEGER,                     -- NULL while the REST call is under way
    confirmed INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY,
    taken_at TEXT NOT NULL,
    conference_sid TEXT NOT NULL,
    after_sequence INTEGER NOT NULL,
    body TEXT NOT NULL              -- JSON of the ConferenceSnapshot
);
-- schema 3: one conference's rows without reading the others' (history.py)
CREATE INDEX IF NOT EXISTS callbacks_by_conference_id ON callbacks (conference_sid, id);
CREATE INDEX IF NOT EXISTS snapshots_by_conference ON snapshots (conference_sid, id);
CREATE TABLE IF NOT EXISTS conference_summaries (
    conference_sid TEXT PRIMARY KEY,
    first_id INTEGER NOT NULL,      -- its first callback's row: the conferences' order
    through_id INTEGER NOT NULL,    -- the newest callback folded into it
    through_snapshot INTEGER NOT NULL,  -- the newest snapshot folded into it (0: none)
    friendly_name TEXT NOT NULL,
    body TEXT NOT NULL              -- JSON: the ended conference as folded, who took part
);
"""


class JournalError(Exception):
    """The journal cannot be opened or written (one-line message for the user)."""


def migration_copy(path: Path, version: int) -> Path:
    """Where the journal of schema `version` is kept before it is migrated."""
    return path.with_name(f"{path.name}.schema-{version}")


class JournalFile:
    """One journal file: how it was found at the last open (repaired, left cleanly, migrated)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovery: Recovery | None = None  # what a repair kept and where the damaged copy is
        # True when the start trusted the clean-close marker and skipped SQLite's whole-file
        # check: Journal.check_in_background() runs it once the window is up (clean_close.py).
        self.unchecked = False
        self.checked_early = False  # the whole-file check's verdict came from an EarlyCheck
        self.migrated_from: Path | None = None  # the copy taken before a migration

    def open_read_only(self) -> sqlite3.Connection:
        """A read-only connection (the report): nothing is written, not even a -shm or -wal."""
        if not self.path.exists():
            raise JournalError(f"no journal at {self.path}")
        if self.path.stat().st_size == 0:
            raise JournalError(
                f"the journal {self.path} is empty (0 bytes): nothing was ever written to it"
            )
        # Without a WAL file nothing is being written: immutable reads create no -shm or -wal
        # (works on a read-only folder and a full disk); with one, read it as a live journal.
        live = Path(f"{self.path}-wal").exists()
        mode = "mode=ro" if live else "mode=ro&immutable=1"
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?{mode}", uri=True)
            (version,) = db.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if not live or "not a database" in str(exc):
                raise JournalError(f"cannot read the journal {self.path}: {exc}") from exc
            log.warning("reading %s without its write-ahead log: %s", self.path, exc)
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            (version,) = db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            db.close()
            raise JournalError(
                f"{self.path} was written by a newer version of the console (schema {version})"
            )
        return db

    def open_for_writing(self, early: EarlyCheck | None = None) -> sqlite3.Connection:
        """The file opened for writing: set aside if empty, repaired if damaged, migrated.
        `early`: this file's whole-file check, started before (its verdict spares the open's)."""
        existed = self.path.exists()
        try:
            if existed and self.path.stat().st_size == 0:
                self._set_aside_empty()
                existed = False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._open_sound(existed, early if early and early.path == self.path else None)
            try:
                self._migrate(db)
            except BaseException:
                db.close()
                raise
        except (OSError, sqlite3.Error) as exc:
            if not existed:
                self._remove_failed_new_file()
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from exc
        return db

    def _open_sound(self, existed: bool, early: EarlyCheck | None) -> sqlite3.Connection:
        """A connection to a journal SQLite finds sound, repairing a damaged one first."""
        db: sqlite3.Connection | None = None
        self.unchecked = existed and clean_close.closed_cleanly(self.path)
        # the early check's verdict, taken before this open's connection touches the file
        verdict = early.verdict() if early is not None and existed and not self.unchecked else None
        self.checked_early = verdict is not None
        clean_close.forget(self.path)  # before any write: a crash from now on leaves no marker
        try:
            db = self.connect()
            problem = None
            if existed and not self.unchecked:
                problem = verdict.problem if verdict is not None else is_damaged(db)
        except sqlite3.DatabaseError as exc:
            # OperationalError is the disk's fault (full, read-only, locked), not the file's
            if not existed or isinstance(exc, sqlite3.OperationalError):
                if db is not None:
                    db.close()
                raise
            problem = str(exc)
        if problem is None and db is not None:
            return db
        if db is not None:
            db.close()
        self._repair(problem or "unreadable")
        return self.connect()

    def connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _set_aside_empty(self) -> None:
        """A 0-byte journal is what a start on a full disk used to leave: keep it, say so."""
        aside = self.path.with_name(self.path.name + ".empty")
        self.path.replace(aside)
        log.warning(
            "the journal %s was empty (0 bytes), so no callbacks were lost; it was moved to %s"
            " and a new journal is started",
            self.path,
            aside,
        )

    def _remove_failed_new_file(self) -> None:
        """Opening a new journal failed (full disk, read-only folder): leave no 0-byte file."""
        for leftover in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            try:
                if leftover.exists() and leftover.stat().st_size == 0:
                    leftover.unlink()
            except OSError:
                pass

    def _repair(self, problem: str) -> None:
        log.error(
            "the journal %s is damaged (%s): copying it aside and repairing", self.path, problem
        )
        try:
            self.recovery = rebuild(self.path, SCHEMA, SCHEMA_VERSION)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(
                f"the journal {self.path} is damaged ({problem}) and could not be copied aside"
                f" to repair it: {exc}"
            ) from exc
        log.error("%s", self.recovery.describe(self.path))

    def _migrate(self, db: sqlite3.Connection) -> None:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"{self.path} was written by a newer version of the console (schema {version})"
            )
        if version == SCHEMA_VERSION:
            return
        if version > 0:  # an older journal, not a new file: keep it as it was first
            self.copy_before_migration(db, version)
        db.execute("BEGIN IMMEDIATE")
        try:
            if version == 1:
                db.execute("ALTER TABLE callbacks ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0")
                db.execute("ALTER TABLE callbacks ADD COLUMN last_received_at TEXT")
                db.execute("ALTER TABLE callbacks ADD COLUMN digest TEXT")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def copy_before_migration(self, db: sqlite3.Connection, version: int) -> None:
        """A whole copy of the journal as the older version left it, taken with SQLite's backup
        (the write-ahead log included) before the migration changes it: a migration that goes
        wrong, or a host going back to the older version, still has every callback."""
        copy = migration_copy(self.path, version)
        target = sqlite3.connect(copy)
        try:
            db.backup(target)
        finally:
            target.close()
        narrow(copy, FILE_MODE)  # it names callers, as the journal does
        self.migrated_from = copy
        log.info(
            "the journal %s (schema %d) was copied to %s before its migration",
            self.path,
            version,
            copy,
        )


class BackgroundCheck:
    """`PRAGMA quick_check` of the whole file on a daemon thread; stop() interrupts it."""

    def __init__(
        self, path: Path, found: Callable[[str], str], on_damage: Callable[[str], None]
    ) -> None:
        self._path = path
        self._found = found
        self._on_damage = on_damage
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="journal-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            db = sqlite3.connect(f"{self._path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            log.warning("could not check the journal %s: %s", self._path, exc)
            return
        with self._lock:
            if self._stopping:
                db.close()
                return
            self._db = db
        try:
            problem = is_damaged(db)
        finally:
            with self._lock:
                self._db = None
            db.close()
        if problem is None or self._stopping:  # stopping: interrupted, not damaged
            return
        message = self._found(problem)
        log.error("%s", message)
        self._on_damage(message)

    def join(self, timeout: float | None) -> None:
        self._thread.join(timeout)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            if self._db is not None:
                self._db.interrupt()
        self._thread.join(CLOSE_WAIT)


@dataclass(frozen=True)
class Verdict:
    """What a whole-file check found: None when SQLite finds the file sound."""

    problem: str | None


def _file_state(path: Path) -> tuple[object, ...]:
    """The journal's and its write-ahead log's identity: any write changes one of them."""
    found = path.stat()
    try:
        wal = os.stat(f"{path}-wal")
        log_state = (wal.st_size, wal.st_mtime_ns) if wal.st_size else None
    except FileNotFoundError:
        log_state = None  # as good as an empty one (which a read-only connection may create)
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, log_state)


class EarlyCheck:
    """SQLite's whole-file check of a journal the clean-close marker does not vouch for (a
    crash, or a journal an older console left), started before the console imports Qt,
    aiohttp and twilio: on its own thread and read-only connection it runs on the other core
    while those load (about half a second), so the open finds its verdict in, or nearly.

    The open still checks before it writes anything: it waits for this verdict and trusts it
    only while the journal and its write-ahead log are as the check found them; a check that
    could not run (the file locked, or not readable without writing) leaves it to the open.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread: threading.Thread | None = None
        self._found: Verdict | None = None
        try:
            if not path.exists() or path.stat().st_size == 0 or clean_close.closed_cleanly(path):
                return  # nothing to check, or the background check's (clean_close.py)
            self._before = _file_state(path)
        except OSError:
            return
        self._thread = threading.Thread(target=self._run, name="journal-early-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                rows = db.execute("PRAGMA quick_check(1)").fetchall()
            finally:
                db.close()
            verdict = str(rows[0][0]) if rows else "no answer"
            found = Verdict(None if verdict == "ok" else verdict)
        except sqlite3.OperationalError as exc:  # locked, or unreadable here: not the file's fault
            log.debug("the early check of %s could not run: %s", self.path, exc)
            return
        except sqlite3.DatabaseError as exc:  # damaged, or not a database
            found = Verdict(str(exc))
        try:
            if _file_state(self.path) == self._before:
                self._found = found
        except OSError:
            return

    def verdict(self) -> Verdict | None:
        """Wait for the check; what it found, or None when it did not run or the file (or its
        write-ahead log) changed since it began."""
        if self._thread is None:
            return None
        self._thread.join()
        try:
            unchanged = _file_state(self.path) == self._before
        except OSError:
            return None
        return self._found if unchanged else None
