"""Group commit: callbacks that arrive together are journaled in one SQLite transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from datetime import datetime

from moderator.domain.events import ConferenceEvent
from moderator.store.journal import Journal, JournalError

log = logging.getLogger(__name__)

_Item = tuple[datetime, Mapping[str, str], ConferenceEvent]
_Entry = tuple[_Item, asyncio.Future[None]]


class CallbackWriter:
    """Journals callbacks for the webhook handlers, one commit per batch, off the loop's thread.

    Every handler awaits `append` before answering Twilio, so an answered callback is on disk.
    Callbacks that arrive while a commit is under way share the next one (the measured lever:
    one WAL commit per callback caps ingest at about half of what batching allows). Commits
    run on the journal's writer thread, so a frozen or locked disk delays only these answers,
    never the window (the roster is updated before the commit: see CallbackIngest). A batch
    that fails is retried item by item, so one callback the journal refuses cannot fail the
    others.

    The writer thread takes the next batch itself when a commit ends and more callbacks are
    pending (queued behind whatever other writes came meanwhile, in order); the loop's thread
    hands a commit over only when none is under way or queued, once the callbacks ready in
    the same pass of the loop have joined it (a pass is short when the console is quiet), and
    each commit's waiters are answered in one call once the writer thread is idle again. Per
    batch the loop runs no drain task, wrapped future or chain of callbacks, and under load a
    third fewer commits wake the writer thread (A/B, bench_ingest's console modes: loop CPU
    per callback 3-7% less, then another 3-5%).
    """

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._lock = threading.Lock()  # the pending list and `_armed`, shared with the writer
        self._pending: list[_Entry] = []
        self._armed = False  # a commit job is queued or running on the writer thread
        self.commits = 0

    async def append(
        self, received_at: datetime, form: Mapping[str, str], event: ConferenceEvent
    ) -> None:
        """Return once the callback is committed; raises JournalError if it could not be."""
        await self.queue(received_at, form, event)

    def queue(
        self, received_at: datetime, form: Mapping[str, str], event: ConferenceEvent
    ) -> asyncio.Future[None]:
        """Join the next group commit; the future is done once the callback is committed."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._pending.append(((received_at, form, event), waiter))
            if self._armed:
                return waiter  # the commit under way takes it next
            self._armed = True
        # after the callbacks ready in this pass of the loop: they join this commit
        loop.call_soon(self._hand_over, loop)
        return waiter

    @property
    def stalled_for(self) -> float:
        """Seconds the journal's current write has been waiting for the disk (0.0: none)."""
        return self._journal.writer_stalled_for()

    @property
    def write_failure(self) -> str | None:
        """Why the journal's last write failed; None once one succeeds."""
        return self._journal.write_failure

    @property
    def queued_writes(self) -> int:
        """The journal's writes not yet on disk (callbacks, actions, snapshots)."""
        return self._journal.queued_writes

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """Queue a commit of what is pending on the writer thread (the caller armed it)."""
        batch: list[_Entry] = []

        def commit() -> list[JournalError | None]:  # on the writer thread
            with self._lock:
                batch.extend(self._pending)
                self._pending = []
            return self._write(batch) if batch else []

        try:
            job = self._journal.write_later(commit)
        except JournalError as exc:  # read-only, or closed: the console is stopping
            with self._lock:
                batch, self._pending = self._pending, []
                self._armed = False
            _tell(loop, batch, [exc] * len(batch))
            return
        job.add_done_callback(lambda done: self._committed(loop, batch, done))

    def _committed(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: list[_Entry],
        done: Future[list[JournalError | None]],
    ) -> None:
        """Once the writer thread is idle again (so /healthz does not lag behind the answers):
        tell the commit's waiters, and queue the next commit if more came meanwhile (else
        disarm, so the next callback hands one over)."""
        try:
            outcomes = done.result()
        except Exception as exc:  # a bug: every waiter is still answered, none hangs
            outcomes = [_journal_error(exc)] * len(batch)
        _tell(loop, batch, outcomes)
        with self._lock:
            more = self._armed = bool(self._pending)
        if more:
            self._hand_over(loop)

    def _write(self, batch: list[_Entry]) -> list[JournalError | None]:
        """On the writer thread: each item's outcome (None: committed)."""
        try:
            self._journal.write_callbacks([item for item, _ in batch])
        except Exception as exc:
            error = _journal_error(exc)
            if len(batch) == 1:
                return [error]
            log.warning(
                "a group commit of %d callbacks failed, retrying each: %s", len(batch), error
            )
            return [self._write([entry])[0] for entry in batch]
        self.commits += 1
        return [None] * len(batch)


def _journal_error(exc: Exception) -> JournalError:
    return exc if isinstance(exc, JournalError) else JournalError(f"journal write failed: {exc}")


def _tell(
    loop: asyncio.AbstractEventLoop, batch: list[_Entry], outcomes: list[JournalError | None]
) -> None:
    """Answer a commit's waiters on the loop's thread (from any thread)."""
    if not batch:
        return
    if _running_on(loop):
        _settle_all(batch, outcomes)
        return
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_settle_all, batch, outcomes)


def _running_on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _settle_all(batch: list[_Entry], outcomes: list[JournalError | None]) -> None:
    """On the loop's thread: answer each waiter of a commit."""
    for (_, waiter), error in zip(batch, outcomes, strict=True):
        if waiter.done():  # its handler gave up (the client went away)
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)
