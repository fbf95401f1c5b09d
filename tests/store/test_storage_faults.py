"""The journal when storage misbehaves: read-only, full, locked by another process, damaged."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from moderator.domain.events import parse_callback
from moderator.store.journal import JOURNAL_FILE, Journal, JournalError
from moderator.store.report import build_report, rebuild_roster
from moderator.store.writer import CallbackWriter
from tests.forms import CONFERENCE_SID, form, team_meeting

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


def store(journal: Journal, forms: list[dict[str, str]]) -> None:
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in forms])


def many(count: int) -> list[dict[str, str]]:
    return [form("participant-speech-start", n, who="Mary") for n in range(1, count + 1)]


def folder_state(folder: Path) -> dict[str, str]:
    """Each file in `folder` with a digest of its bytes: unchanged means nothing was written."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (root only): lets a test fill the disk or make it read-only for real."""
    point = tmp_path / "tiny"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def fill(folder: Path) -> None:
    filler = (folder / "filler").open("wb", buffering=0)
    try:
        while True:
            filler.write(b"\0" * 4096)
    except OSError:
        pass
    finally:
        filler.close()


# ---- report: read-only, writes nothing ---------------------------------------------------------


def test_report_writes_nothing_to_the_journal_folder(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    store(journal, team_meeting())
    journal.close()
    before = folder_state(tmp_path)
    reader = Journal.in_dir(tmp_path, create=False)
    assert build_report(reader)["conferences"][0]["sid"] == CONFERENCE_SID
    reader.close()
    assert folder_state(tmp_path) == before


def test_report_works_on_a_read_only_file_system(tiny_fs: Path) -> None:
    journal = Journal.in_dir(tiny_fs)
    store(journal, team_meeting())
    journal.close()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    reader = Journal.in_dir(tiny_fs, create=False)
    assert len(build_report(reader)["conferences"][0]["participants"]) == 4
    reader.close()
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal.in_dir(tiny_fs)  # the console says so in one line


def test_report_works_on_a_full_disk(tiny_fs: Path) -> None:
    journal = Journal.in_dir(tiny_fs)
    store(journal, team_meeting())
    journal.close()
    fill(tiny_fs)
    reader = Journal.in_dir(tiny_fs, create=False)
    assert build_report(reader)["conferences"]
    reader.close()


# ---- full disk and empty files at start ----------------------------------------------------------


def test_a_full_disk_at_start_leaves_no_empty_journal(tiny_fs: Path) -> None:
    fill(tiny_fs)
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal.in_dir(tiny_fs)
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["filler"]


def test_a_zero_byte_journal_is_kept_aside_and_said_not_silently_new(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / JOURNAL_FILE).touch()
    with pytest.raises(JournalError, match="empty"):
        Journal.in_dir(tmp_path, create=False)
    journal = Journal.in_dir(tmp_path)
    assert "was empty (0 bytes)" in caplog.text
    assert (tmp_path / (JOURNAL_FILE + ".empty")).exists()
    store(journal, team_meeting())
    assert journal.callback_count() == 7
    journal.close()


def test_a_full_disk_while_running_fails_the_callback_not_the_console(tiny_fs: Path) -> None:
    journal = Journal.in_dir(tiny_fs)
    fill(tiny_fs)
    with pytest.raises(JournalError, match="journal write failed"):
        store(journal, many(2000))
    (tiny_fs / "filler").unlink()
    store(journal, team_meeting())  # space again: journaling resumes
    assert journal.callback_count() == 7
    journal.close()


# ---- another process holds the write lock: the loop keeps turning ------------------------------


async def test_a_locked_journal_does_not_block_the_event_loop(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    writer = CallbackWriter(journal)
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        textwrap.dedent(
            f"""
            import sqlite3, sys
            db = sqlite3.connect({str(tmp_path / JOURNAL_FILE)!r}, isolation_level=None)
            db.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            sys.stdin.readline()
            db.execute("COMMIT")
            """
        ),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert (await holder.stdout.readline()).strip() == b"locked"
    fields = team_meeting()[0]
    commit = asyncio.ensure_future(writer.append(NOW, fields, parse_callback(fields, NOW)))
    ticks = 0
    while ticks < 20:  # the loop turns while the commit waits for the lock
        await asyncio.sleep(0.01)
        ticks += 1
    assert not commit.done()
    holder.stdin.write(b"\n")
    await holder.stdin.drain()
    await asyncio.wait_for(commit, timeout=30)
    await holder.wait()
    assert journal.callback_count() == 1
    journal.close()


# ---- damage: rows and pages --------------------------------------------------------------------


def test_bad_rows_are_skipped_counted_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal.in_dir(tmp_path)
    store(journal, team_meeting())
    journal.close()
    db = sqlite3.connect(tmp_path / JOURNAL_FILE)
    insert = (
        "INSERT INTO callbacks (received_at, conference_sid, sequence, event, form)"
        " VALUES (?, ?, ?, ?, ?)"
    )
    good = json.dumps(form("participant-join", 20, who="Zed"))
    db.execute(insert, ("2026-11-25T16:00:00+00:00", CONFERENCE_SID, 20, "x", "{not json"))
    db.execute(insert, ("yesterday", CONFERENCE_SID, 21, "x", good))
    db.execute(insert, (12345, CONFERENCE_SID, 22, "x", good))
    db.execute(insert, ("2026-11-25T16:00:00+00:00", CONFERENCE_SID, 23, "x", "[1, 2]"))
    db.execute("INSERT INTO actions (at, conference_sid, kind, origin, params) VALUES (1,2,3,4,5)")
    db.execute(
        "INSERT INTO snapshots (taken_at, conference_sid, after_sequence, body)"
        " VALUES ('x', 'y', 1, '{}')"
    )
    db.commit()
    db.close()
    for create in (True, False):  # the console and the report
        journal = Journal.in_dir(tmp_path, create=create)
        roster = rebuild_roster(journal)
        assert len(roster.participants(CONFERENCE_SID)) == 4
        assert build_report(journal)["conferences"]
        assert journal.rows_skipped.skipped == {"callbacks": 4, "snapshots": 1, "actions": 1}
        assert any("unreadable rows" in p for p in journal.problems)
        journal.close()
    assert "skipped 4 unreadable rows of the callbacks table" in caplog.text


def damage_pages(path: Path, start_fraction: float = 0.5, pages: int = 4) -> None:
    # 4 pages in a row: the callbacks table's pages alternate with up to 3 of its indexes'

    data = bytearray(path.read_bytes())
    page = 4096
    first = int(len(data) * start_fraction) // page * page
    data[first : first + pages * page] = b"\xa5" * (pages * page)
    path.write_bytes(bytes(data))


def test_a_damaged_page_is_copied_aside_and_the_rest_recovered(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    store(journal, many(3000))
    journal.close()
    path = tmp_path / JOURNAL_FILE
    damage_pages(path)
    damaged_bytes = path.read_bytes()

    reader = Journal.in_dir(tmp_path, create=False)  # the report reads around the damage
    readable = len(list(reader.events()))
    assert 0 < readable < 3000
    reader.close()
    assert path.read_bytes() == damaged_bytes

    journal = Journal.in_dir(tmp_path)  # the console copies it aside and repairs
    assert journal.recovery is not None
    assert journal.recovery.damaged_copy.read_bytes() == damaged_bytes
    assert journal.recovery.skipped > 0
    assert 0 < journal.recovery.kept < 3000
    assert str(journal.recovery.damaged_copy) in journal.problems[0]
    assert len(list(journal.events())) == readable
    store(journal, [form("participant-speech-stop", 5000, who="Mary")])  # keeps journaling
    assert journal.callback_rows() == readable + 1
    journal.close()


def test_a_journal_with_a_garbage_header_starts_empty_with_the_damage_kept(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    store(journal, team_meeting())
    journal.close()
    path = tmp_path / JOURNAL_FILE
    data = bytearray(path.read_bytes())
    data[:100] = b"\x13" * 100
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="cannot read the journal"):
        Journal.in_dir(tmp_path, create=False)
    journal = Journal.in_dir(tmp_path)
    assert journal.recovery is not None and journal.recovery.damaged_copy.exists()
    store(journal, team_meeting())
    assert journal.callback_count() == 7
    journal.close()


# ---- replay: a captured callback sent again and again -------------------------------------------


def test_replaying_one_callback_100_times_adds_one_row_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    journal = Journal.in_dir(tmp_path)
    fields = team_meeting()[0]
    for _ in range(100):
        store(journal, [fields])
    assert journal.callback_rows() == 1
    assert journal.callback_count() == 100
    db = sqlite3.connect(tmp_path / JOURNAL_FILE)
    duplicates, last = db.execute("SELECT duplicates, last_received_at FROM callbacks").fetchone()
    db.close()
    assert duplicates == 99 and last is not None
    changed = dict(fields, Muted="true")  # same key, different content: stored for the audit
    store(journal, [changed])
    assert journal.callback_rows() == 2
    journal.close()


async def test_healthz_answers_while_a_callback_waits_for_a_locked_journal(
    tmp_path: Path,
) -> None:
    """The callback is answered only after its commit; everything else keeps being served."""

    from moderator.core import CoreConfig, open_core
    from moderator.credentials import Credentials

    token = "storage-fault-token-0123456789ab"
    config = CoreConfig(data_dir=tmp_path, credentials=Credentials(auth_token=token), control=False)
    async with open_core(config) as core:
        await locked_journal_keeps_serving(core.server.local_url, token, tmp_path)
        assert core.journal.callback_count() == 1


async def locked_journal_keeps_serving(base: str, token: str, tmp_path: Path) -> None:
    import aiohttp
    from twilio.request_validator import RequestValidator

    lock = sqlite3.connect(tmp_path / JOURNAL_FILE, isolation_level=None, timeout=0)
    lock.execute("BEGIN EXCLUSIVE")
    fields = team_meeting()[0]
    url = base + "/twilio/conference-events"
    signature = RequestValidator(token).compute_signature(url, fields)
    async with aiohttp.ClientSession() as session:

        async def callback() -> int:
            headers = {"X-Twilio-Signature": signature}
            async with session.post(url, data=fields, headers=headers) as response:
                return response.status

        pending = asyncio.ensure_future(callback())
        health_url = base + "/healthz"
        signed = {"X-Twilio-Signature": RequestValidator(token).compute_signature(health_url, {})}
        for _ in range(5):
            async with session.get(health_url, headers=signed) as health:
                assert health.status == 200
                assert (await health.json())["callbacks"] == 0
        assert not pending.done()
        lock.execute("COMMIT")
        assert await asyncio.wait_for(pending, 30) == 204
    lock.close()


async def test_healthz_says_failing_while_journal_writes_fail(tiny_fs: Path) -> None:
    """A full disk under a running console: every write fails (callbacks are answered 500),
    and /healthz must say so instead of "ok"."""
    import aiohttp
    from twilio.request_validator import RequestValidator

    from moderator.core import CoreConfig, open_core
    from moderator.credentials import Credentials

    token = "storage-fault-token-0123456789ab"
    config = CoreConfig(data_dir=tiny_fs, credentials=Credentials(auth_token=token), control=False)
    async with open_core(config) as core, aiohttp.ClientSession() as session:
        base = core.server.local_url
        url = base + "/twilio/conference-events"

        async def callback(fields: dict[str, str]) -> int:
            signature = RequestValidator(token).compute_signature(url, fields)
            headers = {"X-Twilio-Signature": signature}
            async with session.post(url, data=fields, headers=headers) as answer:
                return answer.status

        async def status() -> str:
            async with session.get(base + "/healthz") as answer:
                return str((await answer.json())["status"])

        assert await callback(team_meeting()[0]) == 204 and await status() == "ok"
        fill(tiny_fs)
        answers = []
        for fields in many(200):  # until the journal's WAL needs a page the disk has not got
            answers.append(await callback(fields))
            if answers[-1] != 204:
                break
        assert answers[-1] == 500
        assert await status() == "failing"
        (tiny_fs / "filler").unlink()
        assert await callback(team_meeting()[1]) == 204  # space again: journaling resumes
        assert await status() == "ok"
