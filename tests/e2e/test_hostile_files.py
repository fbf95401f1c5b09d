"""The real console on hostile files in its data folder: it starts, keeps them aside, says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "book",
    [
        "number,name\n+14155550101," + "x" * 131_073 + "\n",  # a field over csv's limit
        'number,name\n+14155550101,"Alice\n+14155550102,Bob\n',  # an unterminated quote
    ],
    ids=["huge-field", "unterminated-quote"],
)
def test_an_unreadable_address_book_is_kept_aside_and_the_console_starts(
    start_console: Any, tmp_path: Path, book: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "address-book.csv").write_text(book)
    console = start_console("--port", "0", "--data-dir", str(data), "--quit-after", "0.5")
    assert console.wait() == 0, console.output
    assert "Traceback" not in console.output
    assert "address book unreadable" in console.output
    assert (data / "address-book.csv.unreadable").read_text() == book  # kept, not lost
