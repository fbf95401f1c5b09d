"""The journal's clean-close marker: a start may skip SQLite's whole-file check when the journal
is exactly as the last console left it, and check it in the background instead.

`PRAGMA quick_check` reads every page: 0.7-1.9 s on a journal of a million callbacks, at every
start. A console that closed its journal cleanly (every write done, the WAL checkpointed into
the file and removed) writes `<journal>.clean` holding the file's identity: device, inode, size
and modification time in nanoseconds. The next start trusts it only if all of them still match
and no write-ahead log is left, and removes it before it writes anything, so a crash leaves no
marker and the start after it checks the whole file.

One mtime tick: a file system stamps times with a coarse clock (a few milliseconds on ext4, 2 s
on FAT), so a write in the same tick as the close would leave size and mtime unchanged. The
marker is therefore trusted only when its own mtime is later than the journal's recorded one:
any write after the marker was written then stamps the journal with a time at least the
marker's, which differs from the recorded one. Writing the marker waits (briefly, bounded) for
the file system's clock to pass the journal's mtime; if it does not, no marker is left.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

TICK_WAIT = 0.1  # seconds the close may wait for the file system's clock to move on
_KEYS = ("dev", "ino", "size", "mtime_ns")


def marker_path(journal: Path) -> Path:
    return journal.with_name(journal.name + ".clean")


def _identity(journal: Path) -> dict[str, int]:
    found = journal.stat()
    return {
        "dev": found.st_dev,
        "ino": found.st_ino,
        "size": found.st_size,
        "mtime_ns": found.st_mtime_ns,
    }


def _no_wal(journal: Path) -> bool:
    wal = Path(f"{journal}-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True


def closed_cleanly(journal: Path) -> bool:
    """True when the journal is byte for byte as a clean close left it (checked by identity)."""
    marker = marker_path(journal)
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        marked_at = marker.stat().st_mtime_ns
        now = _identity(journal)
    except (OSError, ValueError):
        return False
    if not isinstance(recorded, dict) or any(recorded.get(key) != now[key] for key in _KEYS):
        return False
    return marked_at > now["mtime_ns"] and _no_wal(journal)


def forget(journal: Path) -> None:
    """Before the first write: from now on the file may change (a crash leaves no marker)."""
    try:
        marker_path(journal).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove the journal's clean-close marker: %s", exc)


def mark(journal: Path, wait: float = TICK_WAIT) -> bool:
    """After the last connection closed: record the file's identity. False (no marker) when a
    WAL is left, the file cannot be read, or the clock did not move past its mtime in time."""
    marker = marker_path(journal)
    deadline = time.monotonic() + wait
    try:
        if not _no_wal(journal):
            return False
        identity = _identity(journal)
        text = json.dumps(identity)
        while True:
            _write(marker, text)
            if marker.stat().st_mtime_ns > identity["mtime_ns"]:
                return True
            if time.monotonic() >= deadline:
                marker.unlink(missing_ok=True)
                return False
            time.sleep(0.002)
    except OSError as exc:
        log.warning("could not write the journal's clean-close marker: %s", exc)
        return False


def _write(marker: Path, text: str) -> None:
    descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
