"""The group commit: callbacks that arrive while the writer thread is busy share one commit,
every waiter is answered, and the journal's other writes keep their turn."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from moderator.domain.events import parse_callback
from moderator.store.journal import Journal, JournalError
from moderator.store.writer import CallbackWriter
from tests.forms import CONFERENCE_SID, form

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
HANG_GUARD = 30.0  # seconds; only stops a broken test from hanging, never a speed check


def queue(writer: CallbackWriter, sequence: int) -> asyncio.Future[None]:
    fields = form("participant-join", sequence, who=f"P{sequence}")
    return writer.queue(NOW, fields, parse_callback(fields, NOW))


async def test_callbacks_queued_while_the_writer_is_busy_share_one_commit(
    tmp_path: Path,
) -> None:
    """The writer thread is busy (another write holds it): callbacks queued meanwhile wait for
    one commit, handed over once; an action queued between them is journaled too."""
    journal = Journal.in_dir(tmp_path)
    writer = CallbackWriter(journal)
    busy = threading.Event()
    release = threading.Event()

    def hold() -> None:
        busy.set()
        release.wait(HANG_GUARD)

    held = journal.write_later(hold)
    await asyncio.to_thread(busy.wait, HANG_GUARD)
    first = [queue(writer, n) for n in (1, 2)]
    journal.record_action(NOW, CONFERENCE_SID, None, "end")
    later = [queue(writer, n) for n in (3, 4, 5)]
    await asyncio.sleep(0)  # the loop's pass ends: the commit is handed over
    assert journal.queued_writes == 3  # the held write, the action, one commit of the callbacks
    release.set()
    await asyncio.wait_for(asyncio.gather(*first, *later), HANG_GUARD)
    held.result(HANG_GUARD)
    assert writer.commits == 1
    assert journal.callback_count() == 5
    assert [action.kind for action in journal.actions()] == ["end"]
    journal.close()


async def test_callbacks_queued_during_a_commit_are_committed_next(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    writer = CallbackWriter(journal)
    waves = []
    for wave in range(5):  # each wave is queued while the one before may still be committing
        waves += [queue(writer, wave * 10 + n) for n in range(1, 11)]
        await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(*waves), HANG_GUARD)
    assert journal.callback_count() == 50
    assert 1 <= writer.commits <= 50
    journal.close()


async def test_a_closed_journal_answers_every_waiter_with_an_error(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    writer = CallbackWriter(journal)
    await asyncio.wait_for(queue(writer, 1), HANG_GUARD)
    journal.close()
    with pytest.raises(JournalError):
        await asyncio.wait_for(queue(writer, 2), HANG_GUARD)
    with pytest.raises(JournalError):  # and the next one too: nothing was left armed
        await asyncio.wait_for(queue(writer, 3), HANG_GUARD)


async def test_a_callback_is_answered_once_the_writer_thread_is_idle_again(
    tmp_path: Path,
) -> None:
    """/healthz must not say "degraded" (a write stalled) after the answer went out."""
    journal = Journal.in_dir(tmp_path)
    writer = CallbackWriter(journal)
    for sequence in range(1, 21):
        await asyncio.wait_for(queue(writer, sequence), HANG_GUARD)
        assert journal.queued_writes == 0
        assert journal.writer_stalled_for() == 0.0
    journal.close()


async def test_callbacks_queued_in_one_pass_of_the_loop_share_one_commit(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    writer = CallbackWriter(journal)
    waiters = [queue(writer, n) for n in range(1, 9)]  # eight handlers in one pass
    assert journal.queued_writes == 0  # handed over once the pass ends, not at the first
    await asyncio.wait_for(asyncio.gather(*waiters), HANG_GUARD)
    assert writer.commits == 1
    assert journal.callback_count() == 8
    journal.close()
