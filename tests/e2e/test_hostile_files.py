"""The real console and its files: an unreadable address book is kept aside and start-up goes
on; the data and log folders and every file in them are private (0700, 0600)."""

from __future__ import annotations

import asyncio
import signal
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import child_env, run_moderator
from tests.e2e.test_console_process import post_all
from tests.forms import team_meeting

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


def modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}


def test_data_and_log_folders_are_0700_and_their_files_0600(
    start_console: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    logs = tmp_path / "xdg-state" / "Conference Moderator" / "log"
    for folder in (data, logs):  # as an older version left them: world-readable
        folder.mkdir(parents=True)
        folder.chmod(0o755)
    for old in (data / "address-book.csv", data / "settings.ini", logs / "moderator.log"):
        old.write_text("number,name\n+14155550101,Alice\n" if old.suffix == ".csv" else "")
        old.chmod(0o644)
    console = start_console("--port", "0", "--data-dir", str(data))
    url = console.wait_listening()
    assert asyncio.run(post_all(url, team_meeting())) == [204] * len(team_meeting())
    running = modes(data)  # the journal with its -wal and -shm while it is open
    assert {"journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"} <= set(running)
    console.process.send_signal(signal.SIGTERM)
    assert console.wait() == 0, console.output
    page = tmp_path / "report.html"
    result = run_moderator(
        "report", "--data-dir", str(data), "--format", "html", "-o", str(page),
        env=child_env(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = {**running, **modes(data), **{f"log/{k}": v for k, v in modes(logs).items()}}
    found["report.html"] = stat.S_IMODE(page.stat().st_mode)
    wrong = {
        name: oct(mode)
        for name, mode in found.items()
        if mode != (0o700 if name in (data.name, f"log/{logs.name}") else 0o600)
    }
    assert wrong == {}, found
    assert {"settings.ini", "layout.json", "log/moderator.log"} <= set(found)
