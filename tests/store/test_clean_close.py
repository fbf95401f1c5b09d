"""The clean-close marker: a start skips SQLite's whole-file check only for a journal exactly as
a clean close left it, and checks it in the background instead (store/clean_close.py)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from moderator.store import clean_close
from moderator.store.journal import JOURNAL_FILE, Journal
from tests.store.test_storage_faults import damage_pages, many, store


def opens_unchecked(folder: Path) -> bool:
    journal = Journal.in_dir(folder)
    journal.close()
    return journal.unchecked


def journal_of(tmp_path: Path, count: int = 3000) -> Path:
    journal = Journal.in_dir(tmp_path)
    store(journal, many(count))
    journal.close()
    return tmp_path / JOURNAL_FILE


def test_a_clean_close_lets_the_next_start_skip_the_check_and_check_in_the_background(
    tmp_path: Path,
) -> None:
    journal_of(tmp_path)
    journal = Journal.in_dir(tmp_path)
    assert journal.unchecked
    assert not clean_close.marker_path(journal.path).exists()  # gone before the first write
    found: list[str] = []
    assert journal.check_in_background(found.append)
    assert journal.wait_for_check() is None and found == []
    assert not journal.check_in_background(found.append)  # once per start
    journal.close()
    assert opens_unchecked(tmp_path)


def test_a_start_after_a_crash_checks_the_whole_file(tmp_path: Path) -> None:
    journal_of(tmp_path)
    running = Journal.in_dir(tmp_path)  # never closed: the process died
    store(running, many(10))
    again = Journal.in_dir(tmp_path)
    assert not again.unchecked
    again.close()
    running.close()


def test_damage_written_right_after_a_clean_close_is_repaired_at_the_next_start(
    tmp_path: Path,
) -> None:
    # Same size, and as soon after the close as a test can: the file system's coarse clock
    # must not let the write pass for the clean close (the marker is later than the close).
    path = journal_of(tmp_path)
    damage_pages(path)
    journal = Journal.in_dir(tmp_path)
    assert not journal.unchecked
    assert journal.recovery is not None and journal.recovery.skipped > 0
    journal.close()


def test_damage_that_keeps_the_files_identity_is_found_in_the_background(
    tmp_path: Path,
) -> None:
    # A page gone bad on the disk changes neither size nor mtime: the background check finds
    # it, the host is told, and no marker is left, so the next start repairs.
    path = journal_of(tmp_path)
    before = path.stat()
    damage_pages(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    journal = Journal.in_dir(tmp_path)
    assert journal.unchecked and journal.recovery is None
    told: list[str] = []
    journal.check_in_background(told.append)
    assert journal.wait_for_check() is not None
    assert len(told) == 1 and "repaired at the next start" in told[0]
    journal.close()
    assert not clean_close.marker_path(path).exists()
    repaired = Journal.in_dir(tmp_path)
    assert not repaired.unchecked and repaired.recovery is not None
    repaired.close()


def test_no_marker_when_the_clock_does_not_pass_the_journals_mtime(tmp_path: Path) -> None:
    # A coarse clock, as on FAT: the marker's own mtime stays at the journal's, so a write in
    # the same tick could not be told apart; the close leaves no marker rather than trust it.
    path = journal_of(tmp_path)
    future = time.time_ns() + 3600 * 10**9
    os.utime(path, ns=(future, future))
    assert not clean_close.mark(path, wait=0.01)
    assert not clean_close.marker_path(path).exists()
    assert not opens_unchecked(tmp_path)


def test_closing_interrupts_a_check_still_reading(tmp_path: Path) -> None:
    journal_of(tmp_path, 20_000)
    journal = Journal.in_dir(tmp_path)
    journal.check_in_background(lambda message: None)
    closing = threading.Thread(target=journal.close)
    closing.start()
    closing.join(30)
    assert not closing.is_alive()
    assert journal.wait_for_check() is None  # interrupted is not damaged
    assert opens_unchecked(tmp_path)  # checked in the background again next time
