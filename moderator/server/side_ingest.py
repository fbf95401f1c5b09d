"""What the routes of callbacks that are not a conference's (recording status, real-time
transcription) share: a verified form parsed (400 when it cannot be), journaled before the
2xx (500 when it could not be), counted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Generic, TypeVar

from aiohttp import web

from moderator.domain.clock import utc_now
from moderator.domain.events import MalformedCallback
from moderator.store.journal import JournalError

log = logging.getLogger(__name__)

E = TypeVar("E")
# Runs a blocking store write somewhere it cannot freeze the window (the journal's writer thread).
WriteOffLoop = Callable[[Callable[[], None]], Awaitable[None]]


async def write_here(write: Callable[[], None]) -> None:
    write()


class SideIngest(Generic[E]):
    """Takes one kind of verified callback form: `parse` it, `append` it to the journal."""

    def __init__(
        self,
        what: str,
        parse: Callable[[Mapping[str, str], datetime], E],
        append: Callable[[datetime, Mapping[str, str], E], None],
        clock: Callable[[], datetime] = utc_now,
        write: WriteOffLoop = write_here,
    ) -> None:
        self._what = what  # "recording", "transcription": how the log names them
        self._parse = parse
        self._append = append
        self._clock = clock
        self._write = write
        self.received = 0

    async def take(self, form: Mapping[str, str]) -> E:
        """The parsed callback, once stored; raises the HTTP error to answer otherwise."""
        received_at = self._clock()
        try:
            event = self._parse(form, received_at)
        except MalformedCallback as exc:
            log.warning("rejected a malformed %s callback: %s", self._what, exc)
            raise web.HTTPBadRequest(text=f"malformed callback: {exc}") from None
        try:
            await self._write(lambda: self._append(received_at, form, event))
        except JournalError as exc:
            log.error("could not journal a %s callback (answered 500): %s", self._what, exc)
            raise web.HTTPInternalServerError(text="could not store the callback") from None
        self.received += 1
        return event
