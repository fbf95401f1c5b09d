"""Callers' phone numbers from Twilio's Calls resource, so tiles can show who is on the line."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable

from moderator.control.client import TwilioRest
from moderator.control.errors import NoAnswer, describe
from moderator.control.status import ConnectionState
from moderator.control.tasks import TaskSet
from moderator.domain.roster import Roster

log = logging.getLogger(__name__)

HEALTHY = (ConnectionState.CONNECTED, ConnectionState.UNKNOWN)


class NumberLookup:
    """Fetches callers' numbers in the background, never on the way of a callback or a click.

    `request` only notes the call SIDs (a bounded queue: past `capacity` the oldest go). One
    worker fetches them once callbacks have been quiet for `settle` seconds (a join burst is
    over), `concurrency` at a time, skipping anyone who has left and any call already looked
    up (a bounded cache). While REST is unhealthy (degraded, unreachable, rejected) it waits,
    longer each time, and then tries one lookup, instead of adding to the trouble.
    """

    def __init__(
        self,
        roster: Roster,
        rest: TwilioRest,
        tasks: TaskSet,
        *,
        concurrency: int = 2,
        settle: float = 0.5,
        capacity: int = 1000,
        backoff: tuple[float, float] = (5.0, 60.0),
    ) -> None:
        self._roster = roster
        self._rest = rest
        self._tasks = tasks
        self.concurrency = concurrency
        self.settle = settle
        self.capacity = capacity
        self.backoff = backoff
        self._queue: OrderedDict[str, str] = OrderedDict()  # call SID -> conference SID
        self._known: OrderedDict[str, str | None] = OrderedDict()  # call SID -> number (or none)
        self._worker: asyncio.Task[None] | None = None
        self._last_request = 0.0
        self.enabled = True
        self.fetched = 0
        # True while the worker waits for an unhealthy Twilio before trying one lookup
        self.waiting_for_twilio = False

    def request(self, conference_sid: str, call_sids: Iterable[str]) -> None:
        """Look up the numbers of these calls later (each call SID at most once)."""
        if not self.enabled or not self._rest.configured or self._tasks.closed:
            return
        for call_sid in call_sids:
            if call_sid in self._known:
                number = self._known[call_sid]
                if number:
                    self._show(conference_sid, call_sid, number)
                continue
            self._queue[call_sid] = conference_sid
            self._queue.move_to_end(call_sid)
            if len(self._queue) > self.capacity:
                self._queue.popitem(last=False)
        self._last_request = time.monotonic()
        if self._queue and (self._worker is None or self._worker.done()):
            self._worker = self._tasks.spawn(self._drain(), name="numbers")

    async def fetch(self, conference_sid: str, call_sid: str) -> str | None:
        """The caller's number (the far end: From for inbound calls, To for dial-outs)."""
        call = await self._rest.client().calls(call_sid).fetch_async()
        direction = str(call.direction or "")
        number = call.to if direction.startswith("outbound") else call._from
        return str(number) if number else None

    async def _drain(self) -> None:
        wait = self.backoff[0]
        while self._queue:
            quiet_for = time.monotonic() - self._last_request
            if quiet_for < self.settle:
                await asyncio.sleep(self.settle - quiet_for)
                continue
            healthy = self._rest.state in HEALTHY
            if not healthy:
                self.waiting_for_twilio = True
                try:
                    await asyncio.sleep(wait)  # then one lookup tells whether Twilio is back
                finally:
                    self.waiting_for_twilio = False
                wait = min(wait * 2, self.backoff[1])
            else:
                wait = self.backoff[0]
            batch = self._take(self.concurrency if healthy else 1)
            if batch:
                await asyncio.gather(*(self._lookup(conf, call) for call, conf in batch))

    def _take(self, count: int) -> list[tuple[str, str]]:
        """The next calls worth a lookup: still in the call, number not known yet."""
        batch: list[tuple[str, str]] = []
        while self._queue and len(batch) < count:
            call_sid, conference_sid = self._queue.popitem(last=False)
            participant = self._roster.participant(conference_sid, call_sid)
            if participant is None or not participant.present or participant.number:
                continue  # left already (or known): dropped
            batch.append((call_sid, conference_sid))
        return batch

    async def _lookup(self, conference_sid: str, call_sid: str) -> None:
        try:
            number = await self.fetch(conference_sid, call_sid)
        except NoAnswer:  # Twilio unreachable or slow: keep it for later
            self._queue.setdefault(call_sid, conference_sid)
            return
        except Exception as exc:  # cosmetic: log and let the tile show the label
            log.info("no number for %s: %s", call_sid, describe(exc, subject="call").reason)
            number = None
        self.fetched += 1
        self._known[call_sid] = number
        if len(self._known) > self.capacity:
            self._known.popitem(last=False)
        if number:
            self._show(conference_sid, call_sid, number)

    def _show(self, conference_sid: str, call_sid: str, number: str) -> None:
        participant = self._roster.participant(conference_sid, call_sid)
        if participant is not None and participant.number != number:
            self._roster.set_number(conference_sid, call_sid, number)
