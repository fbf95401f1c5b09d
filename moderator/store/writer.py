"""Group commit: callbacks that arrive together are journaled in one SQLite transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime

from moderator.domain.events import ConferenceEvent
from moderator.store.journal import Journal, JournalError

log = logging.getLogger(__name__)

_Item = tuple[datetime, Mapping[str, str], ConferenceEvent]


class CallbackWriter:
    """Journals callbacks for the webhook handlers, one commit per batch, off the loop's thread.

    Every handler awaits `append` before answering Twilio, so an answered callback is on disk.
    Callbacks that arrive while a commit is under way share the next one (the measured lever:
    one WAL commit per callback caps ingest at about half of what batching allows). Commits
    run on the journal's writer thread, so a frozen or locked disk delays only these answers,
    never the window (the roster is updated before the commit: see CallbackIngest). A batch
    that fails is retried item by item, so one callback the journal refuses cannot fail the
    others.
    """

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._pending: list[tuple[_Item, asyncio.Future[None]]] = []
        self._draining: asyncio.Task[None] | None = None
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
        self._pending.append(((received_at, form, event), waiter))
        if self._draining is None or self._draining.done():
            self._draining = loop.create_task(self._drain())
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

    async def _drain(self) -> None:
        # No waiting for more handlers to join: callbacks that arrive while this commit is
        # under way form the next batch, and a sequential sender is not held up a loop turn.
        while self._pending:
            batch, self._pending = self._pending, []
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[_Item, asyncio.Future[None]]]) -> None:
        try:
            items = [item for item, _ in batch]
            await self._journal.commit_callbacks(items)
        except Exception as exc:
            error = (
                exc
                if isinstance(exc, JournalError)
                else JournalError(f"journal write failed: {exc}")
            )
            if len(batch) == 1:
                _settle(batch[0][1], error)
                return
            log.warning(
                "a group commit of %d callbacks failed, retrying each: %s", len(batch), error
            )
            for entry in batch:
                await self._commit([entry])
            return
        self.commits += 1
        for _, waiter in batch:
            _settle(waiter, None)


def _settle(waiter: asyncio.Future[None], error: Exception | None) -> None:
    if waiter.done():
        return
    if error is None:
        waiter.set_result(None)
    else:
        waiter.set_exception(error)
