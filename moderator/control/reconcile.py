"""Reconcile: ask Twilio's REST API what is live and fold it into the roster as snapshots."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from twilio.base.exceptions import TwilioException

from moderator.control.client import TwilioRest
from moderator.control.errors import describe
from moderator.control.snapshots import conference_snapshot
from moderator.domain.roster import Roster
from moderator.domain.snapshots import ConferenceSnapshot
from moderator.domain.state import ConferenceStatus
from moderator.store.journal import Journal, JournalError

log = logging.getLogger(__name__)

# Twilio lists a conference still waiting for a host as init
LIVE = (ConferenceStatus.IN_PROGRESS, ConferenceStatus.INIT)
PAGE_SIZE = 250  # a conference holds at most 250: one page


class Reconciler:
    """Lists live conferences and their participants; REST state wins over what we had."""

    def __init__(
        self, roster: Roster, journal: Journal, rest: TwilioRest, clock: Callable[[], datetime]
    ) -> None:
        self._roster = roster
        self._journal = journal
        self._rest = rest
        self._clock = clock
        self._lock = asyncio.Lock()  # two reconciles at once would interleave snapshots
        self.runs = 0

    async def run(self, conference_sid: str | None = None) -> list[str]:
        """Reconcile one conference, or every live one plus every one the roster thinks is live.

        Returns the SIDs updated. Raises whatever the SDK raised (the caller describes it).
        """
        async with self._lock:
            client = self._rest.client()
            if conference_sid is not None:
                targets: dict[str, Any] = {conference_sid: None}
            else:
                targets = {}
                for status in LIVE:
                    for conference in await client.conferences.list_async(
                        status=status.value, page_size=100
                    ):
                        targets[conference.sid] = conference
                for known in self._roster.conferences():
                    if known.status.live:
                        targets.setdefault(known.sid, None)
            done: list[str] = []
            for sid, listed in targets.items():
                snapshot = await self._snapshot(client, sid, listed)
                try:
                    self._journal.append_snapshot(snapshot)
                except JournalError as exc:
                    log.error("could not journal the snapshot of %s: %s", sid, exc)
                self._roster.apply_snapshot(snapshot)
                done.append(sid)
            self.runs += 1
            log.info("reconciled %d conference(s) with Twilio", len(done))
            return done

    async def _snapshot(self, client: Any, sid: str, listed: Any) -> ConferenceSnapshot:
        conference = listed
        if conference is None:
            try:
                conference = await client.conferences(sid).fetch_async()
            except TwilioException as exc:
                if not describe(exc).gone:
                    raise
                # Twilio no longer knows it (or it is another account's): it is over for us.
                return conference_snapshot(
                    sid,
                    self._clock(),
                    self._roster.last_sequence(sid),
                    status=ConferenceStatus.COMPLETED.value,
                )
        status = str(conference.status or "")
        participants: list[Any] = []
        if status != ConferenceStatus.COMPLETED:
            try:
                participants = await client.conferences(sid).participants.list_async(
                    page_size=PAGE_SIZE
                )
            except TwilioException as exc:  # list() raises a bare TwilioException
                if not describe(exc).gone:
                    raise
                status = ConferenceStatus.COMPLETED.value
        # Taken now: callbacks numbered up to here are older than what REST just said.
        return conference_snapshot(
            sid,
            self._clock(),
            self._roster.last_sequence(sid),
            friendly_name=str(conference.friendly_name or ""),
            status=status,
            participants=participants,
        )
