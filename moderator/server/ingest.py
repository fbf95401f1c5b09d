"""The path of one callback: parse, fold into the roster, journal (before we answer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from moderator.dispatch import Signal
from moderator.domain.clock import utc_now
from moderator.domain.events import ConferenceEvent, parse_callback
from moderator.domain.roster import Roster
from moderator.store.writer import CallbackWriter


class CallbackIngest:
    """Turns a verified callback form into journaled state; listeners see each event."""

    def __init__(
        self, writer: CallbackWriter, roster: Roster, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.writer = writer
        self._roster = roster
        self._clock = clock
        self.events: Signal[[ConferenceEvent]] = Signal("ingest.events")  # each one folded
        self.received = 0
        self.last_received_at: datetime | None = None

    async def ingest(self, form: Mapping[str, str]) -> ConferenceEvent:
        """Raises MalformedCallback (answer 400) or JournalError (answer 500).

        Returns once the callback is committed, so the caller answers Twilio only then. The
        roster (tiles, confirmations of the host's actions, rules) takes the event at once,
        without waiting for the disk: what Twilio reports is true whether or not it reached
        the journal, and a callback that could not be stored makes the console reconcile.
        """
        received_at = self._clock()
        event = parse_callback(form, received_at)
        committed = self.writer.queue(received_at, form, event)
        self._roster.apply(event)
        self.events.emit(event)
        await committed
        self.received += 1
        self.last_received_at = received_at
        return event
