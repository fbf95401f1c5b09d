"""The one action lifecycle: record → mark pending → send → finish → confirm, or grace → resolve.

Every host action is an `Action` run by the one `Lifecycle`:

1. record: the journal's row (store/action_log.py), under the target's conference or meeting;
2. mark pending: the roster's one overlay on the target (domain/roster.py `Roster.mark`), which
   the tile, the waiting strip, the room panel and the REC badge read;
3. send: the REST call (control/requests.py, control/call_moves.py; retries and the limiter
   in control/http.py). An action with nothing to send (lock, PIN, presenter, the address
   book) is finished at once: journaled and folded (domain/host_state.py) the same way;
4. finish: Twilio's answer, or a failure: the mark rolled back and one redacted message
   (control/actions/telling.py; control/errors.py `describe` says why);
5. confirm: the kind's `Rule` (control/actions/rules.py) says which fact (a roster change, a
   recording callback) confirms it; without one within CONFIRM_GRACE seconds (after what the
   action plays out: a ring, a spoken text) its resolver decides, once a reconcile has listed
   the conference when the rule asks for one: confirmed by what Twilio lists, or finished with
   what it shows, told to the host once. No action stays open past its grace.

Per-kind differences are data on the `Action` and a `Rule` of small callables, not copies.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from twilio.rest import Client

from moderator.control.actions.telling import HostMessages
from moderator.control.client import TwilioRest
from moderator.control.errors import Failure, describe
from moderator.control.requests import Send
from moderator.control.results import ActionResult
from moderator.control.snapshots import conference_snapshot
from moderator.control.tasks import TaskSet
from moderator.credentials import Credentials
from moderator.dispatch import Signal
from moderator.domain.actions import ActionKind, Origin, Scope, Target
from moderator.domain.clock import utc_now
from moderator.domain.roster import Change, Roster
from moderator.messages import Level, Sink
from moderator.messages import quiet as no_messages
from moderator.settings import Settings
from moderator.store.action_log import ActionLog
from moderator.store.journal import Journal, JournalError

log = logging.getLogger(__name__)


class Settled(Enum):
    """How a fact (or the grace's resolver) settles an action Twilio accepted."""

    CONFIRMED = "confirmed"  # it took effect: journaled as confirmed
    DROPPED = "dropped"  # it can no longer be confirmed (they left, a newer action): stop waiting


@dataclass(frozen=True)
class Outcome:
    """How the grace's resolver finished an action no fact confirmed: `text` is journaled (the
    action's error column) and told to the host once; `ok`: Twilio's acceptance stands (the
    facts do not say it failed: a warning), else it did not take effect (an error)."""

    text: str
    ok: bool = False


# None: the fact says nothing about it; a str: it failed after all, and this is the message.
Verdict = Settled | str | Outcome | None


@dataclass(frozen=True)
class Rule:
    """How an action of one kind is confirmed once Twilio accepted it.

    `settles` reads each fact about the watched target (a roster Change, a Recording); None:
    Twilio's answer confirms it. `answered` folds the answer in (a dial-out's ringing tile).
    `after_grace` resolves it when no fact settled it within the grace; with `reconcile_first`
    the conference is listed first (its facts may settle it). None from it: the facts say it is
    still under way (a dial-out Twilio lists as ringing): another grace, up to `Action.lasts`."""

    settles: Callable[[Lifecycle, Ticket, object], Verdict] | None = None
    answered: Callable[[Lifecycle, Ticket], None] | None = None
    after_grace: Callable[[Lifecycle, Ticket], Verdict] | None = None
    reconcile_first: bool = False


ANSWER_CONFIRMS = Rule()


@dataclass(frozen=True)
class Action:
    """One host action, described: what, on what, how it is sent and confirmed."""

    kind: ActionKind
    target: Target
    who: str  # names the target in the host's message: "Could not {verb} {who}: {why}"
    send: Send | None = None  # the REST call; None: nothing to send (record → finish)
    rule: Rule = ANSWER_CONFIRMS
    origin: Origin = Origin.HOST
    params: Mapping[str, str] | None = None
    journal_as: str | None = None  # the journal's conference column, when not the target's key
    verb: str | None = None  # in place of the kind's verb
    subject: str | None = None  # what a 404 means (control/errors.py); None: the target's scope
    pending: bool = True  # mark the target pending until it is settled
    done_if_gone: bool = False  # a 404 means it already happened (a kick, a room that ended)
    watch: Target | None = None  # whose facts settle it, when not the target's
    lasts: float = 0.0  # seconds it may play out before its fact can come (a text spoken)
    under_way: float = 0.0  # how long the facts may say it is under way (a dial-out ringing)

    @property
    def says(self) -> str:
        """The start of the host's message about it: "Could not mute Bob"."""
        verb = self.verb or self.kind.verb
        if "{who}" in verb:  # "Could not send Charles to the waiting room"
            return f"Could not {verb.replace('{who}', self.who)}"
        return f"Could not {verb} {self.who}".rstrip()


@dataclass(eq=False)
class Ticket:
    """An action recorded (and marked) but not yet settled."""

    action: Action
    action_id: int  # its journal row (0: not journaled)
    token: int  # its pending mark carries it: a newer action's mark is told apart
    watch: Target
    begun_after: int = 0  # the target conference's last SequenceNumber at the start
    answered_after: int = 0  # … when Twilio answered
    listed: bool = True  # the grace's reconcile could ask Twilio (False: the roster is older)
    answered_at: float = 0.0  # the loop's time when Twilio answered
    answer: Any = field(default=None, repr=False)

    @property
    def kind(self) -> ActionKind:
        return self.action.kind

    @property
    def target(self) -> Target:
        return self.action.target


class Lifecycle:
    """Runs every host action; keeps the pending overlay and the journal honest."""

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
        reconcile: Callable[[str], Coroutine[Any, Any, bool]] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.roster = roster
        self.journal = journal
        self.rest = rest
        self.tasks = tasks
        self.actions = ActionLog(journal, clock)  # the journal's rows of each action
        self.tell = HostMessages(notify, lambda: rest.credentials)  # redacted, once
        self.grace = grace
        self.on_stale = on_stale  # asks for a (debounced) reconcile of a conference
        # lists a conference now and folds it in (False: Twilio could not be asked)
        self.reconcile = reconcile or _not_asked
        # the latest listing of each conference the graces asked for (loop time it began): one
        # begun after an action's answer serves it too (250 mutes' graces: one listing, not 250)
        self._listings: dict[str, tuple[float, asyncio.Task[bool]]] = {}
        self.clock = clock
        self._open: dict[Target, list[Ticket]] = {}  # by the target whose facts settle them
        self._tokens = itertools.count(1)
        # a pending mark set or cleared (a participant's also reaches roster.changed)
        self.changed: Signal[[Target]] = Signal("lifecycle.changed")

    # ---- running an action -----------------------------------------------------------------

    @classmethod
    def outside_the_console(cls, journal: Journal) -> Lifecycle:
        """For an account-level action sent with a client of its own (`run(..., via=client)`):
        a number's Voice URL changed by the setup assistant or `moderator connect-number`,
        whose client has the credentials being set up. Nothing to mark, nothing to reconcile."""
        rest = TwilioRest(Credentials(), Settings())  # never used: every send comes `via`
        return cls(
            Roster(), journal, rest, TaskSet(), notify=no_messages, grace=0.0, on_stale=_nothing
        )

    async def run(
        self, action: Action, *, quiet: bool = False, via: Client | None = None
    ) -> ActionResult:
        """The whole lifecycle; never raises. `quiet`: no message (a bulk action sums up);
        `via`: the caller's own client instead of the console's (the setup assistant's)."""
        ticket = self.begin(action, via=via)
        if isinstance(ticket, ActionResult):
            if not quiet and ticket.message:
                self.tell.error(ticket.message)
            return ticket
        return await self.send(ticket, quiet=quiet, via=via)

    def decide(self, action: Action) -> ActionResult:
        """An action with nothing to send (lock, PIN, presenter, the address book), recorded and
        finished at once: a plain call, for callers that do not await."""
        assert action.send is None, "an action that sends is run with `run`"
        ticket = self.begin(action)
        if isinstance(ticket, Ticket):
            self.actions.finish(ticket.action_id, ok=True)
            return ActionResult(True)
        return ticket

    def begin(self, action: Action, *, via: Client | None = None) -> Ticket | ActionResult:
        """Record the action and mark it pending; an ActionResult when it cannot be sent."""
        why = self._cannot(action, via)
        if why is not None:
            return ActionResult(False, self.tell.redact(f"{action.says}: {why}"))
        now = self.clock()
        target = action.target
        action_id = self.actions.record(
            action.kind,
            action.journal_as or target.key,
            target.call_sid,
            origin=action.origin,
            params=action.params,
            at=now,
        )
        ticket = Ticket(
            action,
            action_id,
            next(self._tokens),
            action.watch or target,
            begun_after=self.roster.last_sequence(target.key),
        )
        if action.send is None:
            return ticket
        if action.pending:
            if target.scope is Scope.PARTICIPANT:
                self._supersede(target)
            self.roster.mark(target, action.kind, now, token=ticket.token)
        # filed after the mark: the mark's own roster change must not settle it
        self._open.setdefault(ticket.watch, []).append(ticket)
        if action.pending:  # told once filed: a listener finds the ticket (`awaiting`)
            self.changed.emit(target)
        return ticket

    async def send(
        self, ticket: Ticket, *, quiet: bool = False, via: Client | None = None
    ) -> ActionResult:
        """Send to Twilio and finish; on failure roll back and (unless `quiet`) tell the host."""
        try:
            return await self._send(ticket, quiet=quiet, via=via)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not reach the UI as an exception
            log.exception("%s of %s failed unexpectedly", ticket.kind.value, ticket.action.who)
            return self._fail(ticket, describe(exc), quiet=quiet)

    async def _send(self, ticket: Ticket, *, quiet: bool, via: Client | None) -> ActionResult:
        action = ticket.action
        if action.send is None:
            self.actions.finish(ticket.action_id, ok=True)
            return ActionResult(True)
        try:
            ticket.answer = await action.send(via or self.rest.client())
        except asyncio.CancelledError:
            self._fail(ticket, Failure("the console is shutting down"), quiet=True)
            raise
        except Exception as exc:  # every failure becomes a message; see errors.describe
            failure = describe(exc, subject=action.subject or action.target.scope.value)
            if failure.reason.startswith("unexpected"):
                log.exception("unexpected failure sending %s", action.kind.value)
            if not (action.done_if_gone and failure.gone):
                return self._fail(ticket, failure, quiet=quiet)
            # Removing someone (or ending a room) Twilio no longer has has reached its goal:
            # a retried DELETE whose first try went through, or a callback we missed.
            log.info("%s %s: Twilio says it is already done", action.kind.value, action.who)
            self._stale(action.target)
        self.actions.finish(ticket.action_id, ok=True)
        ticket.answered_after = self.roster.last_sequence(action.target.key)
        ticket.answered_at = asyncio.get_running_loop().time()
        log.info("%s %s: Twilio accepted (%s)", action.kind.value, action.who, action.origin)
        rule = action.rule
        if rule.answered is not None:
            rule.answered(self, ticket)
        if rule.settles is None:
            self._settle(ticket, Settled.CONFIRMED)
        elif self.is_open(ticket) and rule.after_grace is not None:
            self.tasks.replace(_grace_key(ticket), self._after_grace(ticket))
        return ActionResult(True)

    def abandon(self, ticket: Ticket, reason: str) -> ActionResult:
        """A begun action that will never be sent: roll its mark back, quietly."""
        return self._fail(ticket, Failure(reason), quiet=True)

    # ---- facts that settle actions ---------------------------------------------------------

    def on_changes(self, changes: list[Change]) -> None:
        """The roster's changes: each may settle an action on its participant or conference."""
        for change in changes:
            self.observe(Target.conference(change.conference_sid), change)
            if change.call_sid is not None:
                self.observe(Target.participant(change.conference_sid, change.call_sid), change)

    def observe(self, target: Target, fact: object) -> None:
        """A fact about `target` (a roster Change, a Recording): the open actions' rules read it."""
        for ticket in list(self._open.get(target, ())):
            settles = ticket.action.rule.settles
            verdict = settles(self, ticket, fact) if settles is not None else None
            if verdict is not None:
                self._settle(ticket, verdict)

    def awaiting(self, target: Target, *kinds: ActionKind) -> Ticket | None:
        """The action whose pending mark the target shows (None: no mark, or not ours); with
        `kinds`, the newest of those kinds."""
        mark = self.roster.pending_on(target, *kinds)
        if mark is None:
            return None
        # filed under the target, or under the call it now follows (a dial-out's)
        tickets = itertools.chain(self._open.get(target, ()), *self._open.values())
        return next((t for t in tickets if t.token == mark.token), None)

    def is_open(self, ticket: Ticket) -> bool:
        return ticket in self._open.get(ticket.watch, ())

    def rewatch(self, ticket: Ticket, target: Target) -> None:
        """From now on facts about `target` settle it (a dial-out's new call)."""
        if self.is_open(ticket):
            self._unfile(ticket)
            ticket.watch = target
            self._open.setdefault(target, []).append(ticket)

    # ---- outcomes --------------------------------------------------------------------------

    def _settle(self, ticket: Ticket, verdict: Settled | str | Outcome) -> None:
        self._close(ticket)
        if verdict is Settled.CONFIRMED:
            self.actions.confirm(ticket.action_id)
        elif isinstance(verdict, str):
            message = self.tell.redact(verdict)
            self.actions.finish(ticket.action_id, ok=False, error=message)
            self.tell.error(message)
        elif isinstance(verdict, Outcome):
            message = self.tell.redact(verdict.text)
            self.actions.finish(ticket.action_id, ok=verdict.ok, error=message)
            self.tell.say(Level.WARNING if verdict.ok else Level.ERROR, message)

    def _fail(self, ticket: Ticket, failure: Failure, *, quiet: bool) -> ActionResult:
        action = ticket.action
        message = self.tell.redact(f"{action.says}: {failure.reason}")
        self.actions.finish(ticket.action_id, ok=False, error=message)
        self._close(ticket)
        if failure.gone:
            self._stale(action.target)  # the roster shows someone Twilio lost
        if quiet:
            log.warning("%s (%s)", message, action.origin)
        else:
            self.tell.error(message)
        return ActionResult(False, message)

    async def _after_grace(self, ticket: Ticket) -> None:
        """No fact within the grace: the rule's resolver decides, after a reconcile when the
        rule asks for one; while the facts say it is under way, another grace (bounded)."""
        action = ticket.action
        rule = action.rule
        await asyncio.sleep(self.grace + action.lasts)
        waited = 0.0
        while self.is_open(ticket) and rule.after_grace is not None:
            log.warning(
                "no callback confirmed %s of %s within the grace; resolving",
                ticket.kind.value,
                action.who,
            )
            if rule.reconcile_first:
                ticket.listed = await self._listed(ticket)
                if not self.is_open(ticket):
                    return  # what Twilio listed settled it
                if not ticket.listed:  # the host was told why; the resolver says what is known
                    log.warning("%s of %s: Twilio could not be asked", action.kind, action.who)
            verdict = rule.after_grace(self, ticket)
            if verdict is None and waited < action.under_way:
                await asyncio.sleep(self.grace)  # Twilio still lists it under way
                waited += self.grace
                continue
            if verdict is None:
                waited += self.grace + action.lasts
                verdict = Outcome(f"{action.says}: no word from Twilio in {waited:.0f} s")
            self._settle(ticket, verdict)
            return

    async def _listed(self, ticket: Ticket) -> bool:
        """Twilio's list of the ticket's conference, folded in: a listing begun after Twilio
        answered the action serves (and is shared), else a new one. False: it could not."""
        conf_sid = ticket.watch.key
        known = self._listings.get(conf_sid)
        if known is None or known[0] < ticket.answered_at:
            task = self.tasks.spawn(self.reconcile(conf_sid), name=f"listing:{conf_sid}")
            known = self._listings[conf_sid] = (asyncio.get_running_loop().time(), task)
        return await asyncio.shield(known[1])

    def _close(self, ticket: Ticket) -> None:
        """Stop waiting for it: unfiled, its grace cancelled, its own mark (only) cleared."""
        self._unfile(ticket)
        self.tasks.cancel(_grace_key(ticket))
        if ticket.action.pending and ticket.action.send is not None:
            self.roster.unmark(ticket.target, token=ticket.token)
            self.changed.emit(ticket.target)

    def _unfile(self, ticket: Ticket) -> None:
        tickets = self._open.get(ticket.watch)
        if tickets is not None and ticket in tickets:
            tickets.remove(ticket)
            if not tickets:
                del self._open[ticket.watch]

    def _supersede(self, target: Target) -> None:
        """A newer action on a participant replaces the older one's mark: stop waiting for it."""
        for older in list(self._open.get(target, ())):
            if older.action.pending:
                self._unfile(older)
                self.tasks.cancel(_grace_key(older))

    def _cannot(self, action: Action, via: Client | None) -> str | None:
        """Why the action cannot be sent now (None: it can)."""
        if action.send is None:
            return None  # nothing to send: the console's own decision
        target = action.target
        if target.scope is Scope.PARTICIPANT and action.pending:
            assert target.call_sid is not None
            participant = self.roster.participant(target.key, target.call_sid)
            if participant is None or not participant.present:
                return "they are not in the call"
        if self.tasks.closed:
            return "the console is shutting down"
        if via is None and not self.rest.configured:
            return "no Twilio credentials are configured"
        return None

    def _stale(self, target: Target) -> None:
        if target.scope in (Scope.PARTICIPANT, Scope.CONFERENCE):
            self.on_stale(target.key)

    # ---- helpers the rules share -----------------------------------------------------------

    def who(self, conference_sid: str, call_sid: str | None) -> str:
        """How the host's message names a participant or a conference."""
        if call_sid is None:
            conference = self.roster.conference(conference_sid)
            name = conference.friendly_name if conference else ""
            return f"the conference {name or conference_sid}"
        participant = self.roster.participant(conference_sid, call_sid)
        return participant.display_name if participant else call_sid

    def no_word(self, ticket: Ticket, call_sid: str | None = None) -> str:
        """What the host reads when Twilio sent no callback: what the roster shows (after the
        grace's reconcile, Twilio's own conference list) of the ticket's conference, or of one
        call in it; when Twilio could not be asked, what the console saw last."""
        conference_sid = ticket.watch.key
        conference = self.roster.conference(conference_sid)
        if conference is None or not conference.status.live:
            shows = "it ended"
        elif call_sid is not None:
            participant = self.roster.participant(conference_sid, call_sid)
            name = participant.display_name if participant is not None else "them"
            if participant is not None and participant.present:
                shows = f"{name} in the call"
            elif participant is not None and participant.ringing:
                shows = f"{name} still ringing"
            else:
                shows = f"{name} not in the call"
        else:
            people = len(self.roster.participants(conference_sid, present_only=True))
            shows = f"it in progress with {people} {'person' if people == 1 else 'people'}"
        if not ticket.listed:
            return f"no word from Twilio, and it could not be asked; the console last saw {shows}"
        return f"no word from Twilio; the conference list shows {shows}"

    def apply_answer(self, conference_sid: str, after_sequence: int, answer: Any) -> None:
        """Fold a REST answer about one participant into the roster (and journal it)."""
        snapshot = conference_snapshot(
            conference_sid, self.clock(), after_sequence, participants=[answer], complete=False
        )
        try:
            self.journal.append_snapshot(snapshot)
        except JournalError as exc:
            log.error("could not journal a snapshot: %s", exc)
        self.roster.apply_snapshot(snapshot)


def _nothing(_conference_sid: str) -> None:
    pass


async def _not_asked(_conference_sid: str) -> bool:
    return False


def _grace_key(ticket: Ticket) -> str:
    return f"grace:{ticket.token}"
