"""A disk that stops taking writes holds up only the callbacks' answers, never the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from moderator.core import CoreConfig, open_core
from moderator.credentials import Credentials
from moderator.server import webhooks
from moderator.store.journal import Journal
from tests.forms import CONFERENCE_SID, call_sid, team_meeting
from tests.helpers.polling import poll_until
from tests.helpers.stuck_disk import StuckDisk, stuck_disk

TOKEN = "stuck-disk-token-0123456789abcdef"
HANG_GUARD = 8.0  # seconds; less than one default wait (10 s), never a speed check


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[StuckDisk]:
    yield from stuck_disk(monkeypatch)


async def until(check: Callable[[], Any], timeout: float = 20.0) -> None:
    await poll_until(check, timeout=timeout)


async def test_a_stuck_disk_holds_the_answer_not_the_loop(
    tmp_path: Path, disk: StuckDisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /healthz says "degraded" once a write has waited JOURNAL_STALL_SECONDS (2 s in the
    # product); the test waited that out: a shorter stall, the same checks against it
    monkeypatch.setattr(webhooks, "JOURNAL_STALL_SECONDS", 0.3)
    config = CoreConfig(data_dir=tmp_path, credentials=Credentials(auth_token=TOKEN), control=False)
    async with open_core(config) as core, aiohttp.ClientSession() as session:
        base = core.server.local_url
        url = base + "/twilio/conference-events"
        fields = team_meeting()[0]  # Mary joins
        headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, fields)}

        async def callback() -> int:
            async with session.post(url, data=fields, headers=headers) as response:
                return response.status

        async def health() -> dict[str, Any]:  # signed: the journal's figures too
            signature = RequestValidator(TOKEN).compute_signature(base + "/healthz", {})
            signed = {"X-Twilio-Signature": signature}
            async with session.get(base + "/healthz", headers=signed) as response:
                assert response.status == 200
                body: dict[str, Any] = await response.json()
                return body

        disk.freeze()
        answer = asyncio.ensure_future(callback())
        await until(lambda: disk.stuck > 0)
        # The loop keeps serving while the write waits, and says the journal is stuck.
        while (body := await health())["status"] != "degraded":
            assert body["status"] == "ok"
            await asyncio.sleep(0.05)
        assert disk.stuck > 0  # answered while the write was still waiting
        assert (
            body["journal"]["queued_writes"] >= 1
            and body["journal"]["stalled_s"] >= webhooks.JOURNAL_STALL_SECONDS
        )
        assert not answer.done()  # a callback is answered only after its commit
        # ...but the roster (the tiles) already has it
        mary = core.roster.participant(CONFERENCE_SID, call_sid("Mary"))
        assert mary is not None and mary.present
        disk.thaw()
        assert await asyncio.wait_for(answer, 30) == 204
        assert core.journal.callback_count() == 1
        assert (await health())["status"] == "ok"
    assert "MainThread" not in disk.threads  # only the writer thread ever waited for the disk


async def test_actions_are_queued_and_read_back_before_the_disk_takes_them(
    tmp_path: Path, disk: StuckDisk
) -> None:
    journal = Journal.in_dir(tmp_path)
    disk.freeze()
    now = datetime.now(timezone.utc)
    action = journal.record_action(now, CONFERENCE_SID, call_sid("Bob"), "mute")
    journal.finish_action(action, now, ok=True)
    journal.confirm_action(action)
    [shown] = journal.actions(CONFERENCE_SID)
    assert (shown.kind, shown.ok, shown.confirmed) == ("mute", True, True)
    await until(lambda: disk.stuck > 0)
    disk.thaw()
    journal.close()  # waits for the queued writes
    reader = Journal.in_dir(tmp_path, create=False)
    [stored] = reader.actions(CONFERENCE_SID)
    assert (stored.kind, stored.ok, stored.confirmed) == ("mute", True, True)
    reader.close()
    assert "MainThread" not in disk.threads


def test_close_waits_for_queued_writes_but_not_for_ever(
    tmp_path: Path, disk: StuckDisk, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal.in_dir(tmp_path)
    disk.freeze()
    journal.record_action(datetime.now(timezone.utc), CONFERENCE_SID, None, "end-conference")
    journal.close(timeout=0.2)  # the disk never comes back: close gives up, says so
    assert "did not take the journal's last 1 writes" in caplog.text
    assert "MainThread" not in disk.threads  # nor does it wait on the disk to close its reader
    disk.thaw()


def test_the_exits_flush_and_close_share_one_bounded_wait(
    tmp_path: Path, disk: StuckDisk, caplog: pytest.LogCaptureFixture
) -> None:
    """At exit the journal is flushed (to summarise ended meetings) and then closed: on a frozen
    disk each waited 10 s, so "within 10 s" was said after 20 (26 with the server's stop)."""
    journal = Journal.in_dir(tmp_path)
    disk.freeze()
    journal.record_action(datetime.now(timezone.utc), CONFERENCE_SID, None, "end-conference")
    journal.begin_close(0.2)
    exits = threading.Thread(target=lambda: (journal.flush(), journal.close()), daemon=True)
    exits.start()
    exits.join(HANG_GUARD)  # each call alone would wait its default 10 s
    assert not exits.is_alive()
    assert "did not take the journal's last" in caplog.text and "within 0.2 s" in caplog.text
    disk.thaw()
