"""Callers' phone numbers from Twilio's Calls resource, so tiles can show who is on the line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from moderator.control.client import TwilioRest
from moderator.control.errors import describe
from moderator.control.tasks import TaskSet
from moderator.domain.roster import Roster

log = logging.getLogger(__name__)


class NumberLookup:
    """Fetches each new participant's number once, a few at a time (it is cosmetic)."""

    def __init__(self, roster: Roster, rest: TwilioRest, tasks: TaskSet, concurrency: int = 4):
        self._roster = roster
        self._rest = rest
        self._tasks = tasks
        self._gate = asyncio.Semaphore(concurrency)
        self._asked: set[str] = set()
        self.enabled = True

    def request(self, conference_sid: str, call_sids: Iterable[str]) -> None:
        """Look up the numbers of these calls in the background (each call SID only once)."""
        if not self.enabled or not self._rest.configured or self._tasks.closed:
            return
        for call_sid in call_sids:
            participant = self._roster.participant(conference_sid, call_sid)
            if call_sid in self._asked or participant is None or participant.number:
                continue
            self._asked.add(call_sid)
            self._tasks.spawn(self._fetch(conference_sid, call_sid), name=f"number:{call_sid}")

    async def fetch(self, conference_sid: str, call_sid: str) -> str | None:
        """The caller's number (the far end: From for inbound calls, To for dial-outs)."""
        async with self._gate:
            call = await self._rest.client().calls(call_sid).fetch_async()
        direction = str(call.direction or "")
        number = call.to if direction.startswith("outbound") else call._from
        return str(number) if number else None

    async def _fetch(self, conference_sid: str, call_sid: str) -> None:
        try:
            number = await self.fetch(conference_sid, call_sid)
        except Exception as exc:  # cosmetic: log and let the tile show the label
            self._asked.discard(call_sid)
            log.info("no number for %s: %s", call_sid, describe(exc, subject="call").reason)
            return
        if number:
            self._roster.set_number(conference_sid, call_sid, number)
