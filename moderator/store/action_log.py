"""The journal's side of every action, written once: recorded as sent, finished with Twilio's
answer, confirmed by its callback.

The host's actions (control/), the door's decisions (server/) and what a start restores all
journal through one `ActionLog`. A journal that cannot write is logged, never raised: the
action itself goes on (the roster and Twilio are the truth; the journal is the record).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from moderator.domain.actions import Origin
from moderator.domain.clock import utc_now
from moderator.store.journal import Journal, JournalError

log = logging.getLogger(__name__)


class ActionLog:
    """`record` returns the action's handle (0 when it could not be journaled); `finish` and
    `confirm` take it and ignore 0."""

    def __init__(self, journal: Journal, clock: Callable[[], datetime] = utc_now) -> None:
        self.journal = journal
        self._clock = clock

    def record(
        self,
        kind: str,
        conference_sid: str,
        call_sid: str | None = None,
        *,
        origin: str = Origin.HOST,
        params: Mapping[str, str] | None = None,
        done: bool = False,
        at: datetime | None = None,
    ) -> int:
        """Journal an action as it is taken; `done`: it needs no answer (finished ok at once)."""
        now = at or self._clock()
        try:
            action_id = self.journal.record_action(
                now, conference_sid, call_sid, kind, origin=origin, params=params
            )
            if done:
                self.journal.finish_action(action_id, now, ok=True)
            return action_id
        except JournalError as exc:
            log.error("could not journal %s of %s: %s", kind, call_sid or conference_sid, exc)
            return 0

    def finish(self, action_id: int, *, ok: bool, error: str | None = None) -> None:
        """Twilio answered the action's REST call (ok), or it failed (`error`, redacted)."""
        if not action_id:
            return
        try:
            self.journal.finish_action(action_id, self._clock(), ok=ok, error=error)
        except JournalError as exc:
            log.error("could not journal the outcome of action %d: %s", action_id, exc)

    def confirm(self, action_id: int) -> None:
        """The callback (or the REST answer after the grace) confirmed the action."""
        if not action_id:
            return
        try:
            self.journal.confirm_action(action_id)
        except JournalError as exc:
            log.error("could not journal the confirmation of action %d: %s", action_id, exc)
