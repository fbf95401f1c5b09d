"""The address book on disk: a CSV file in the data folder, written atomically."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from moderator.domain.address_book import AddressBook, AddressBookError

log = logging.getLogger(__name__)

ADDRESS_BOOK_FILE = "address-book.csv"


def book_path(data_dir: Path) -> Path:
    return data_dir / ADDRESS_BOOK_FILE


def read_book(path: Path, progress: Callable[[int], None] | None = None) -> AddressBook:
    """The book in `path` (empty when there is none); AddressBookError when unreadable.

    Read row by row (a million rows are not held as one string too); `progress` hears how many
    rows have been read so far. Blocking: the console calls it off the event loop's thread.
    """
    try:
        # a spreadsheet's export may carry a BOM; newline="": quoted cells may hold line breaks
        with path.open(encoding="utf-8-sig", newline="") as lines:
            return AddressBook.from_lines(lines, progress)
    except FileNotFoundError:
        return AddressBook()
    except (OSError, UnicodeDecodeError) as exc:
        raise AddressBookError(f"cannot read {path}: {exc}") from None
    except AddressBookError as exc:
        raise AddressBookError(f"{path}: {exc}") from None


def write_book(path: Path, book: AddressBook) -> None:
    """Replace `path` with `book` in one step, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".address-book-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(book.to_csv())
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        raise


def load_book(data_dir: Path) -> tuple[AddressBook, str | None]:
    """The saved book and, when the file was unreadable, why (it is kept aside, not lost)."""
    path = book_path(data_dir)
    try:
        return read_book(path), None
    except AddressBookError as exc:
        aside = path.with_suffix(".csv.unreadable")
        with contextlib.suppress(OSError):  # kept where it is, then: still not overwritten
            os.replace(path, aside)
        log.warning("address book unreadable, kept as %s: %s", aside, exc)
        return AddressBook(), f"The address book could not be read and was kept as {aside}: {exc}"
