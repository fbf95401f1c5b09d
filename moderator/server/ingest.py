"""The path of one callback: parse, journal (before we answer), then fold into the roster."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from moderator.domain.clock import utc_now
from moderator.domain.events import ConferenceEvent, parse_callback
from moderator.domain.roster import Roster
from moderator.store.writer import CallbackWriter

EventListener = Callable[[ConferenceEvent], None]


class CallbackIngest:
    """Turns a verified callback form into journaled state; listeners see each event."""

    def __init__(
        self, writer: CallbackWriter, roster: Roster, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._writer = writer
        self._roster = roster
        self._clock = clock
        self.listeners: list[EventListener] = []
        self.received = 0
        self.last_received_at: datetime | None = None

    async def ingest(self, form: Mapping[str, str]) -> ConferenceEvent:
        """Raises MalformedCallback (answer 400) or JournalError (answer 500, Twilio retries)."""
        received_at = self._clock()
        event = parse_callback(form, received_at)
        await self._writer.append(received_at, form, event)
        self.received += 1
        self.last_received_at = received_at
        self._roster.apply(event)
        for listener in list(self.listeners):
            listener(event)
        return event
