"""One action's life: journaled, shown pending, sent, then confirmed, rolled back or resolved."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moderator.control.actions.telling import HostMessages
from moderator.control.client import TwilioRest
from moderator.control.errors import Failure, describe
from moderator.control.requests import Send
from moderator.control.results import ActionResult
from moderator.control.snapshots import conference_snapshot
from moderator.control.tasks import TaskSet
from moderator.domain.actions import ActionKind, Origin
from moderator.domain.clock import utc_now
from moderator.domain.roster import Change, ChangeKind, Roster
from moderator.domain.state import ConferenceStatus
from moderator.messages import Level, Sink
from moderator.store.action_log import ActionLog
from moderator.store.journal import Journal, JournalError

log = logging.getLogger(__name__)


@dataclass
class Ticket:
    """An action journaled (and for participants shown pending) but not yet answered."""

    kind: ActionKind
    conference_sid: str
    call_sid: str | None
    who: str  # display name for messages
    origin: Origin
    action_id: int
    send: Send
    subject: str = "participant"  # what a 404 means
    answer: Any = field(default=None, repr=False)
    detail: str | None = None  # an announcement's URL: its callbacks may lack the CallSid
    token: int = 0  # the roster's pending mark carries it (participant actions)


class ActionPipeline:
    """Runs actions against Twilio and keeps the roster's pending marks and the journal honest."""

    def __init__(
        self,
        roster: Roster,
        journal: Journal,
        rest: TwilioRest,
        tasks: TaskSet,
        *,
        notify: Sink,
        grace: float,
        on_stale: Callable[[str], None],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._roster = roster
        self._journal = journal
        self._rest = rest
        self._tasks = tasks
        self.actions = ActionLog(journal, clock)  # the journal's rows of each action
        self.tell = HostMessages(notify, lambda: rest.credentials)  # redacted, once
        self.grace = grace
        self._on_stale = on_stale  # asks for a (debounced) reconcile of a conference
        self._clock = clock
        # The latest participant action per participant. Whether it still awaits its callback
        # is the roster's pending overlay's say (see awaiting()), not a set kept here.
        self._tickets: dict[tuple[str, str], Ticket] = {}
        self._tokens = itertools.count(1)
        self._ending: dict[str, Ticket] = {}  # end-conference actions to confirm
        self._dialing: dict[tuple[str, str], Ticket] = {}  # dial-outs waiting for the join
        # announcements waiting for announcement-end/-fail (call SID None: the whole conference)
        self._announcing: dict[tuple[str, str | None], Ticket] = {}

    # ---- starting an action ----------------------------------------------------------------

    def begin(
        self,
        kind: ActionKind,
        conference_sid: str,
        call_sid: str | None,
        send: Send,
        *,
        origin: Origin,
        params: Mapping[str, str] | None = None,
        pending: bool = True,
        subject: str = "participant",
    ) -> Ticket | ActionResult:
        """Journal the action and show it pending; an ActionResult when it cannot be sent."""
        who = self.who(conference_sid, call_sid)
        if call_sid is not None and pending:
            participant = self._roster.participant(conference_sid, call_sid)
            if participant is None or not participant.present:
                return ActionResult(False, f"Could not {kind.verb} {who}: they are not in the call")
        if self._tasks.closed:
            return ActionResult(False, f"Could not {kind.verb} {who}: the console is shutting down")
        if not self._rest.configured:
            return ActionResult(
                False, f"Could not {kind.verb} {who}: no Twilio credentials are configured"
            )
        now = self._clock()
        action_id = self.actions.record(
            kind, conference_sid, call_sid, origin=origin, params=params, at=now
        )
        ticket = Ticket(kind, conference_sid, call_sid, who, origin, action_id, send, subject)
        if call_sid is not None and pending:
            ticket.token = next(self._tokens)
            self._tickets[(conference_sid, call_sid)] = ticket
            self._tasks.cancel(_grace_key(conference_sid, call_sid))
            self._roster.mark_pending(conference_sid, call_sid, kind, now, token=ticket.token)
        elif kind is ActionKind.END_CONFERENCE:
            self._ending[conference_sid] = ticket
        elif kind is ActionKind.ANNOUNCE:
            ticket.detail = (params or {}).get("announce_url")
            self._announcing[(conference_sid, call_sid)] = ticket
        return ticket

    async def send(self, ticket: Ticket, *, quiet: bool = False) -> ActionResult:
        """Send to Twilio; on failure roll back and (unless `quiet`) tell the host."""
        try:
            ticket.answer = await ticket.send(self._rest.client())
        except asyncio.CancelledError:
            self._fail(ticket, Failure("the console is shutting down"), quiet=True)
            raise
        except Exception as exc:  # every failure becomes a message; see errors.describe
            failure = describe(exc, subject=ticket.subject)
            if failure.reason.startswith("unexpected"):
                log.exception("unexpected failure sending %s", ticket.kind.value)
            if not (ticket.kind is ActionKind.KICK and failure.status == 404):
                return self._fail(ticket, failure, quiet=quiet)
            # Removing someone Twilio no longer has (a retried DELETE whose first try went
            # through, or a leave callback we missed) has reached its goal: not an error.
            log.info("kick %s: Twilio says they are already gone", ticket.who)
            self._on_stale(ticket.conference_sid)
        self._finish(ticket, ok=True)
        log.info("%s %s: Twilio accepted (%s)", ticket.kind.value, ticket.who, ticket.origin)
        if (
            ticket.call_sid is not None
            and self.awaiting(ticket.conference_sid, ticket.call_sid) is ticket
        ):
            self._tasks.replace(
                _grace_key(ticket.conference_sid, ticket.call_sid),
                self._resolve_after_grace(
                    ticket, self._roster.last_sequence(ticket.conference_sid)
                ),
            )
        return ActionResult(True)

    def abandon(self, ticket: Ticket, reason: str) -> ActionResult:
        """A begun action that will never be sent: roll its pending mark back, quietly."""
        return self._fail(ticket, Failure(reason), quiet=True)

    def awaiting(self, conference_sid: str, call_sid: str) -> Ticket | None:
        """The participant action still awaiting its callback: the roster's pending mark, when
        that mark is one of ours (a snapshot, a leave or a newer action may have replaced it)."""
        ticket = self._tickets.get((conference_sid, call_sid))
        pending = self._roster.pending(conference_sid, call_sid)
        if ticket is None or pending is None or pending.token != ticket.token:
            return None
        return ticket

    def who(self, conference_sid: str, call_sid: str | None) -> str:
        if call_sid is None:
            conference = self._roster.conference(conference_sid)
            return (
                f"the conference {conference.friendly_name or conference_sid}"
                if conference
                else (f"the conference {conference_sid}")
            )
        participant = self._roster.participant(conference_sid, call_sid)
        return participant.display_name if participant else call_sid

    # ---- outcomes --------------------------------------------------------------------------

    def _fail(self, ticket: Ticket, failure: Failure, *, quiet: bool) -> ActionResult:
        message = self.tell.redact(f"Could not {ticket.kind.verb} {ticket.who}: {failure.reason}")
        self._finish(ticket, ok=False, error=message)
        if ticket.call_sid is not None:
            key = (ticket.conference_sid, ticket.call_sid)
            if self._tickets.get(key) is ticket:
                del self._tickets[key]
                # Roll back only our own mark: a newer action may have replaced it meanwhile.
                self._roster.clear_pending(*key, token=ticket.token)
        if self._ending.get(ticket.conference_sid) is ticket:
            del self._ending[ticket.conference_sid]
        if self._announcing.get((ticket.conference_sid, ticket.call_sid)) is ticket:
            del self._announcing[(ticket.conference_sid, ticket.call_sid)]
        if failure.gone:
            self._on_stale(ticket.conference_sid)  # the roster shows someone Twilio lost
        log.warning("%s (%s)", message, ticket.origin)
        if not quiet:
            self.tell.say(Level.ERROR, message)
        return ActionResult(False, message)

    def _finish(self, ticket: Ticket, *, ok: bool, error: str | None = None) -> None:
        self.actions.finish(ticket.action_id, ok=ok, error=error)

    def _confirm(self, ticket: Ticket) -> None:
        self.actions.confirm(ticket.action_id)

    def expect_join(self, ticket: Ticket, call_sid: str, after_sequence: int) -> None:
        """A dial-out was accepted: show it ringing (Twilio's answer, folded in as a snapshot
        taken after `after_sequence`). Its participant-join confirms it; a participant-leave
        with participant_add_failed closes it as failed."""
        key = (ticket.conference_sid, call_sid)
        self._dialing[key] = ticket
        if ticket.answer is not None:
            self._apply_answer(ticket.conference_sid, after_sequence, ticket.answer)
        self._dial_progress(key)  # the join or the leave may have come before the answer

    def _dial_progress(self, key: tuple[str, str]) -> None:
        ticket = self._dialing.get(key)
        participant = self._roster.participant(*key)
        if ticket is None or participant is None or participant.ringing:
            return
        if participant.present:
            del self._dialing[key]
            self._confirm(ticket)
        elif participant.left_at is not None:
            del self._dialing[key]
            message = dial_failure(ticket.who, participant.call_status)
            self._finish(ticket, ok=False, error=message)
            self.tell.say(Level.ERROR, message)

    def _apply_answer(self, conference_sid: str, after_sequence: int, answer: Any) -> None:
        """Fold a REST answer about one participant into the roster (and journal it)."""
        snapshot = conference_snapshot(
            conference_sid, self._clock(), after_sequence, participants=[answer], complete=False
        )
        try:
            self._journal.append_snapshot(snapshot)
        except JournalError as exc:
            log.error("could not journal a snapshot: %s", exc)
        self._roster.apply_snapshot(snapshot)

    async def _resolve_after_grace(self, ticket: Ticket, after_sequence: int) -> None:
        await asyncio.sleep(self.grace)
        self.resolve_unconfirmed(ticket, after_sequence)

    def resolve_unconfirmed(self, ticket: Ticket, after_sequence: int) -> None:
        """The CONFIRM_GRACE rule (domain/actions.py): Twilio accepted the call but no callback
        confirmed it in time, so show what the REST answer said, then reconcile."""
        assert ticket.call_sid is not None
        key = (ticket.conference_sid, ticket.call_sid)
        if self.awaiting(*key) is not ticket:
            return
        del self._tickets[key]
        log.warning(
            "no callback confirmed %s of %s within %.1f s; using Twilio's answer",
            ticket.kind.value,
            ticket.who,
            self.grace,
        )
        self._roster.clear_pending(*key, token=ticket.token)
        answer = ticket.answer
        if answer is not None and hasattr(answer, "call_sid"):
            self._apply_answer(ticket.conference_sid, after_sequence, answer)
        self._on_stale(ticket.conference_sid)

    # ---- roster changes --------------------------------------------------------------------

    def on_changes(self, changes: list[Change]) -> None:
        """Journal confirmations the roster reports; forget actions on people who left."""
        for change in changes:
            if change.kind in (ChangeKind.ANNOUNCEMENT_ENDED, ChangeKind.ANNOUNCEMENT_FAILED):
                self._announcement_done(change)
            elif change.call_sid is not None:
                key = (change.conference_sid, change.call_sid)
                ticket = self._tickets.get(key)
                if change.kind is ChangeKind.ACTION_CONFIRMED:
                    if ticket is not None and ticket.token == change.token:
                        del self._tickets[key]
                        self._tasks.cancel(_grace_key(*key))
                        self._confirm(ticket)
                elif ticket is not None and self.awaiting(*key) is None:
                    # The roster dropped the mark (they left, or a snapshot says so): stop
                    # waiting. A kick has reached its goal when they are gone.
                    del self._tickets[key]
                    self._tasks.cancel(_grace_key(*key))
                    if (
                        ticket.kind is ActionKind.KICK
                        and change.kind is ChangeKind.PARTICIPANT_LEFT
                    ):
                        self._confirm(ticket)
                if key in self._dialing:
                    self._dial_progress(key)
            elif change.kind is ChangeKind.CONFERENCE_UPDATED:
                conference = self._roster.conference(change.conference_sid)
                ticket = self._ending.get(change.conference_sid)
                if (
                    ticket is not None
                    and conference is not None
                    and conference.status is ConferenceStatus.COMPLETED
                ):
                    del self._ending[change.conference_sid]
                    self._confirm(ticket)

    def _announcement_done(self, change: Change) -> None:
        """announcement-end confirms an announce; announcement-fail turns it into an error."""
        key = (change.conference_sid, change.call_sid)
        if change.call_sid is None and key not in self._announcing:
            # Twilio sends CallSid only while the participant is present: one who left is
            # found by the URL that was playing to them.
            key = next(
                (
                    k
                    for k, t in self._announcing.items()
                    if k[0] == change.conference_sid and t.detail == change.announce_url
                ),
                key,
            )
        ticket = self._announcing.pop(key, None)
        if ticket is None:
            return
        if change.kind is ChangeKind.ANNOUNCEMENT_ENDED:
            self._confirm(ticket)
            return
        why = f" ({change.reason})" if change.reason else ""
        message = f"Could not {ticket.kind.verb} {ticket.who}: Twilio could not play it{why}"
        self._finish(ticket, ok=False, error=message)
        self.tell.say(Level.ERROR, message)


_DIAL_OUTCOMES = {
    "busy": "{who} did not answer (busy)",
    "no-answer": "{who} did not answer",
    "failed": "Could not dial {who}: the call failed",
    "canceled": "The call to {who} was canceled before they answered",
}


def dial_failure(who: str, call_status: str | None) -> str:
    """What the host reads when a dial-out never joined (Twilio's ParticipantCallStatus)."""
    text = _DIAL_OUTCOMES.get(call_status or "", "Could not dial {who}: they never joined")
    return text.format(who=who)


def _grace_key(conference_sid: str, call_sid: str) -> str:
    return f"grace:{conference_sid}:{call_sid}"
