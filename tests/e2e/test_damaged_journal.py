"""The real `moderator` and `moderator report` on a damaged journal: start, say so, keep going."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from moderator.domain.events import parse_callback
from moderator.store.journal import JOURNAL_FILE, Journal
from tests.e2e.conftest import child_env, run_moderator
from tests.e2e.test_console_process import post_all
from tests.forms import form, team_meeting

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


def damaged_journal(data: Path) -> bytes:
    """A journal with 3,000 callbacks, a bad row, and two pages of garbage in the middle."""
    journal = Journal.in_dir(data)
    forms = team_meeting() + [
        form("participant-speech-start", n, who="Mary") for n in range(10, 3010)
    ]
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in forms])
    journal.close()
    db = sqlite3.connect(data / JOURNAL_FILE)
    db.execute(
        "INSERT INTO callbacks (received_at, conference_sid, sequence, event, form)"
        " VALUES ('not a time', 'CF', 1, 'x', '{}')"
    )
    db.commit()
    db.close()
    path = data / JOURNAL_FILE
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2 // 4096 * 4096
    raw[middle : middle + 8192] = b"\xa5" * 8192
    path.write_bytes(bytes(raw))
    return bytes(raw)


def test_report_and_console_survive_a_damaged_journal(start_console: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    damaged = damaged_journal(data)

    result = run_moderator(
        "report", "--data-dir", str(data), "--format", "json", env=child_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "unreadable rows" in result.stderr or "damaged" in result.stderr
    assert json.loads(result.stdout)["conferences"]
    assert (data / JOURNAL_FILE).read_bytes() == damaged  # the report repaired nothing

    console = start_console("--port", "0", "--data-dir", str(data))
    url = console.wait_listening()
    assert asyncio.run(post_all(url, [form("participant-speech-stop", 9000, who="Mary")])) == [204]
    console.process.send_signal(signal.SIGTERM)
    assert console.wait() == 0, console.output
    assert "Traceback" not in console.output
    assert "damaged file is kept as" in console.output
    copies = list(data.glob("journal.damaged-*.sqlite3"))
    assert len(copies) == 1 and copies[0].read_bytes() == damaged
