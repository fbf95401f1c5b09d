"""The clean-close marker: a start skips SQLite's whole-file check only for a journal exactly as
a clean close left it, and checks it in the background instead (store/clean_close.py)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from moderator.store import clean_close, journal_file
from moderator.store.journal import JOURNAL_FILE, Journal
from moderator.store.journal_file import EarlyCheck
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


@pytest.fixture
def opens_checked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The journals an open checked whole itself (not by an early check's verdict)."""
    checked: list[Path] = []
    is_damaged = journal_file.is_damaged

    def counting(db: object) -> str | None:
        (_, _, name) = db.execute("PRAGMA database_list").fetchone()  # type: ignore[attr-defined]
        checked.append(Path(name))
        return is_damaged(db)  # type: ignore[arg-type]

    monkeypatch.setattr(journal_file, "is_damaged", counting)
    return checked


def test_a_start_after_a_crash_takes_the_early_checks_verdict(
    tmp_path: Path, opens_checked: list[Path]
) -> None:
    # The console begins the check before its imports (commands/console.py): the open waits
    # for its verdict instead of reading the whole file again.
    path = journal_of(tmp_path)
    running = Journal.in_dir(tmp_path)  # never closed: the process died
    store(running, many(10))
    early = EarlyCheck(path)
    journal = Journal(path, early=early)
    assert journal.file.checked_early and not journal.unchecked
    assert opens_checked == [] and journal.recovery is None
    journal.close()
    running.close()


def test_damage_the_early_check_finds_is_repaired_at_the_open(
    tmp_path: Path, opens_checked: list[Path]
) -> None:
    path = journal_of(tmp_path)
    damage_pages(path)
    journal = Journal(path, early=EarlyCheck(path))
    assert journal.file.checked_early and opens_checked == []
    assert journal.recovery is not None and journal.recovery.skipped > 0
    journal.close()


def test_a_journal_written_after_the_early_check_began_is_checked_again(
    tmp_path: Path, opens_checked: list[Path]
) -> None:
    path = journal_of(tmp_path)
    clean_close.forget(path)  # as a crash leaves it
    early = EarlyCheck(path)
    assert early.verdict() is not None  # sound, as it found it
    writer = Journal.in_dir(tmp_path)  # then someone wrote to it (another process)
    store(writer, many(3010)[3000:])
    writer.close()
    clean_close.forget(path)
    opens_checked.clear()
    journal = Journal(path, early=early)
    assert not journal.file.checked_early and opens_checked == [path]
    journal.close()


def test_a_journal_closed_cleanly_is_not_checked_early(
    tmp_path: Path, opens_checked: list[Path]
) -> None:
    path = journal_of(tmp_path)
    early = EarlyCheck(path)
    assert early.verdict() is None  # nothing read: the marker vouches for it
    journal = Journal(path, early=early)
    assert journal.unchecked and not journal.file.checked_early and opens_checked == []
    journal.close()
