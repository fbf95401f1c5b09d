"""The Moderator: the one service through which the UI acts on a conference."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from moderator.control.actions.lifecycle import Action, Lifecycle, Ticket
from moderator.control.actions.rules import (
    ANNOUNCING,
    DIALLING,
    ENDING,
    PARTICIPANT,
    RING_LIMIT,
    speaking_time,
)
from moderator.control.bulk import bounded, summary, tally
from moderator.control.client import TwilioRest
from moderator.control.errors import describe
from moderator.control.interface import ModeratorService
from moderator.control.limiter import MAX_IN_FLIGHT
from moderator.control.numbers import NumberLookup
from moderator.control.reconcile import Reconciler
from moderator.control.requests import (
    RestCall,
    announce_call,
    coach_call,
    dial_out_call,
    end_conference_call,
    participant_call,
)
from moderator.control.results import ActionResult, BulkResult
from moderator.control.retry import RetryPolicy
from moderator.control.rules_runner import RulesRunner
from moderator.control.status import TwilioStatus
from moderator.control.tasks import TaskSet
from moderator.credentials import Credentials
from moderator.dispatch import Signal
from moderator.domain.actions import CONFIRM_GRACE, ActionKind, Origin, Scope, Target
from moderator.domain.address_book import normalise
from moderator.domain.announcements import MAX_ANNOUNCEMENT_CHARS
from moderator.domain.clock import utc_now
from moderator.domain.host_state import HostState
from moderator.domain.roster import Change, ChangeKind, Roster
from moderator.domain.rules import (
    RuleSettings,
    intends_hold,
    intends_muted,
    mute_targets,
    unmute_targets,
)
from moderator.messages import Level, Sink, quiet
from moderator.settings import Settings
from moderator.store.journal import Journal

log = logging.getLogger(__name__)

HOST_LABEL = "Host"  # Call me's call, as its tile is named

MAX_CONCURRENCY = MAX_IN_FLIGHT


def rule_settings(settings: Settings) -> RuleSettings:
    return RuleSettings(
        auto_mute_enabled=settings.auto_mute_enabled,
        auto_mute_delay=settings.auto_mute_delay,
        mute_on_entry=settings.mute_on_entry,
    )


class Moderator:
    """Mute, hold, kick, end, announce, dial out, bulk mute, reconcile: pending until confirmed.

    Every public coroutine returns a result and never raises to the UI; failures are also
    passed to `notify(Level.ERROR, text)` (moderator/messages.py). Runs on the (qasync)
    event loop; start() inside it.
    """

    def __init__(
        self,
        roster: Roster,
        journal: Journal,
        *,
        credentials: Credentials,
        settings: Settings,
        api_base_url: str | None = None,
        status_callback_url: str | None = None,
        notify: Sink = quiet,
        confirm_grace: float = CONFIRM_GRACE,
        reconcile_debounce: float = 1.0,
        retry_policy: RetryPolicy | None = None,
        fetch_numbers: bool = True,
        on_connection_state: Callable[[TwilioStatus], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.roster = roster
        self.journal = journal
        self.settings = settings
        self.status_callback_url = status_callback_url
        self.reconcile_debounce = reconcile_debounce
        self._clock = clock
        self._tasks = TaskSet()
        self.rest = TwilioRest(
            credentials,
            settings,
            api_base_url=api_base_url,
            policy=retry_policy,
            on_state=on_connection_state,  # the status bar follows without polling
        )
        self.lifecycle = Lifecycle(  # every host action's record, pending, send, confirm
            roster,
            journal,
            self.rest,
            self._tasks,
            notify=notify,
            grace=confirm_grace,
            on_stale=self.request_reconcile,
            reconcile=self._reconciled,
            clock=clock,
        )
        self.lifecycle.changed.connect(self._on_mark)
        self.reconciler = Reconciler(roster, journal, self.rest, clock)
        self.numbers = NumberLookup(roster, self.rest, self._tasks)
        self.numbers.enabled = fetch_numbers
        self.rules = RulesRunner(
            roster,
            self._tasks,
            rule_settings(settings),
            mute_all=lambda sid: self._mute_all(
                sid, except_presenter=True, origin=Origin.AUTO_MUTE
            ),
            mute_one=self._mute_on_entry,
            clock=clock,
        )
        # the host's own call ("This is me", Call me) and whom it whispers to, per conference:
        # host state, journaled and restored at start (domain/host_state.py)
        self._me: str | None = None
        self._coaching: dict[str, tuple[str, str]] = {}
        self._calling_me: set[str] = set()  # conferences Call me is dialling the host into
        self.host_changed: Signal[[str]] = Signal("moderator.host_changed")  # ConferenceSid
        # the AnnounceUrl that speaks a text (the webhook server's announce route; core sets it)
        self.speak: Callable[[str], str] | None = None
        self.startup: asyncio.Task[None] | None = None
        self._reconcile_waiting: set[str] = set()  # debounced reconciles not started yet
        self._started = False
        self._closed = False

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to the roster, arm the rules, and reconcile in the background."""
        if self._started:
            return
        self._started = True
        self.roster.changed.connect(self._on_changes)
        self.rules.prime()
        if self.rest.configured:
            self.startup = self._tasks.spawn(self._startup_reconcile(), name="startup-reconcile")
        else:
            log.info("no Twilio credentials: actions are disabled until they are set")

    async def close(self) -> None:
        """Cancel timers and waits, close the HTTP session. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._started:
            self.roster.changed.disconnect(self._on_changes)
        await self._tasks.close()
        await self.rest.close()
        log.info("moderator control closed")

    @property
    def connection_state(self) -> TwilioStatus:
        """How the last REST call went: connected, degraded (why), unreachable, rejected, …"""
        return self.rest.status

    def update_settings(self, settings: Settings) -> None:
        """Take effect for the next call (the HTTP client is rebuilt if timeouts changed)."""
        self.settings = settings
        self.rest.reconfigure(self.rest.credentials, settings)
        self.rules.update(rule_settings(settings))

    def update_credentials(self, credentials: Credentials) -> None:
        """New credentials: the next call uses a fresh client; reconcile once they allow REST."""
        changed = credentials != self.rest.credentials
        self.rest.reconfigure(credentials, self.settings)
        if self._started and not self._closed and credentials.can_call_rest and changed:
            # what we missed while REST was unusable (or pointed at another account)
            self.request_reconcile(None, delay=0.0)

    # ---- participant actions ---------------------------------------------------------------

    async def mute(self, conf_sid: str, call_sid: str) -> ActionResult:
        return await self._participant(ActionKind.MUTE, conf_sid, call_sid)

    async def unmute(self, conf_sid: str, call_sid: str) -> ActionResult:
        return await self._participant(ActionKind.UNMUTE, conf_sid, call_sid)

    async def hold(
        self, conf_sid: str, call_sid: str, music_url: str | None = None
    ) -> ActionResult:
        url = music_url or self.settings.hold_music_url or None
        return await self._participant(ActionKind.HOLD, conf_sid, call_sid, music_url=url)

    async def unhold(self, conf_sid: str, call_sid: str) -> ActionResult:
        return await self._participant(ActionKind.UNHOLD, conf_sid, call_sid)

    async def kick(self, conf_sid: str, call_sid: str) -> ActionResult:
        return await self._participant(ActionKind.KICK, conf_sid, call_sid)

    async def toggle_mute(self, conf_sid: str, call_sid: str) -> ActionResult:
        """Unmute if the tile shows muted (or a mute pending), else mute."""
        participant = self.roster.participant(conf_sid, call_sid)
        if participant is not None and intends_muted(participant):
            return await self.unmute(conf_sid, call_sid)
        return await self.mute(conf_sid, call_sid)

    async def toggle_hold(self, conf_sid: str, call_sid: str) -> ActionResult:
        participant = self.roster.participant(conf_sid, call_sid)
        held = participant is not None and intends_hold(participant)
        if held:
            return await self.unhold(conf_sid, call_sid)
        return await self.hold(conf_sid, call_sid)

    async def _participant(
        self,
        kind: ActionKind,
        conf_sid: str,
        call_sid: str,
        *,
        origin: Origin = Origin.HOST,
        music_url: str | None = None,
    ) -> ActionResult:
        action = self._participant_action(kind, conf_sid, call_sid, origin, music_url)
        return await self.lifecycle.run(action)

    def _participant_action(
        self,
        kind: ActionKind,
        conf_sid: str,
        call_sid: str,
        origin: Origin,
        music_url: str | None = None,
    ) -> Action:
        call = participant_call(kind, conf_sid, call_sid, hold_url=music_url)
        return Action(
            kind,
            Target.participant(conf_sid, call_sid),
            self.lifecycle.who(conf_sid, call_sid),
            call.send,
            PARTICIPANT,
            origin=origin,
            params=call.params,
            done_if_gone=kind is ActionKind.KICK,
        )

    def choose_presenter(self, conf_sid: str, call_sid: str | None) -> None:
        """The host marks the presenter (None: back to the automatic one). No REST call: it is
        the console's own choice, journaled so a restart keeps it (domain/host_state.py)."""
        target = Target.participant(conf_sid, call_sid) if call_sid else Target.conference(conf_sid)
        who = self.lifecycle.who(conf_sid, call_sid)
        self.lifecycle.decide(Action(ActionKind.PRESENTER, target, who))
        self.roster.choose_presenter(conf_sid, call_sid)

    # ---- the host's own call and whisper coaching -------------------------------------------

    def me(self, conf_sid: str) -> str | None:
        """The host's own call when it is in `conf_sid` now."""
        participant = self.roster.participant(conf_sid, self._me) if self._me else None
        return self._me if participant is not None and participant.present else None

    def in_flight(self, conf_sid: str) -> str | None:
        """The host's end, announcement or dial-out Twilio has not confirmed yet, as the header
        says it ("ending…", "dialling Dana…"): the conference's pending mark, newest first."""
        ticket = self.lifecycle.awaiting(Target.conference(conf_sid), *IN_FLIGHT)
        return IN_FLIGHT[ticket.kind].format(who=ticket.action.who) if ticket else None

    def coaching(self, conf_sid: str) -> tuple[str, str] | None:
        """(coach, coached) while the host whispers in `conf_sid`: whom Twilio says the coach
        coaches (CallSidToCoach) when it says, else whom the host asked for."""
        asked = self._coaching.get(conf_sid)
        if asked is None:
            return None
        coach = self.roster.participant(conf_sid, asked[0])
        if coach is None or not coach.present or not coach.coaching:
            return None
        return coach.call_sid, coach.call_sid_to_coach or asked[1]

    def this_is_me(self, conf_sid: str, call_sid: str | None) -> None:
        """The host marks their own call (None: unmark). No REST call; journaled so a restart
        keeps it (domain/host_state.py)."""
        target = Target.participant(conf_sid, call_sid) if call_sid else Target.conference(conf_sid)
        who = self.lifecycle.who(conf_sid, call_sid)
        self.lifecycle.decide(Action(ActionKind.THIS_IS_ME, target, who))
        self._me = call_sid
        self.host_changed.emit(conf_sid)

    def restore_host(self, state: HostState) -> None:
        """At start, while the meeting is live: the host's call and whom it whispered to."""
        self._me = state.me
        self._coaching = dict(state.coaching)

    async def whisper(self, conf_sid: str, call_sid: str) -> ActionResult:
        """Only `call_sid` hears the host from now on: the host's participant is updated with
        Coaching=true and CallSidToCoach (both must be in this conference)."""
        me = self.me(conf_sid)
        target = self.roster.participant(conf_sid, call_sid)
        who = target.display_name if target is not None else call_sid
        problem = None
        if me is None:
            problem = "mark your own call first (This is me, or Call me)"
        elif target is None or not target.present:
            problem = "they are not in the call"
        elif call_sid == me:
            problem = "that is your own call"
        if problem is not None or me is None:
            message = f"Could not whisper to {who}: {problem}"
            self._notify(Level.ERROR, message)
            return ActionResult(False, message)
        result = await self.lifecycle.run(
            self._coach(ActionKind.WHISPER, conf_sid, me, call_sid, who)
        )
        if result.ok:
            self._coaching[conf_sid] = (me, call_sid)
            self.host_changed.emit(conf_sid)
            host = self.roster.participant(conf_sid, me)
            if host is not None and host.muted:  # e.g. muted to only listen: Alice hears nothing
                self._notify(
                    Level.WARNING,
                    f"You are muted: {who} hears you once you unmute (Space on your tile)",
                )
            elif target is not None and target.hold:  # on hold: the music, not the host
                self._notify(
                    Level.WARNING,
                    f"{who} is on hold: they hear you once taken off hold (H on their tile)",
                )
        return result

    async def stop_whisper(self, conf_sid: str) -> ActionResult:
        """Everyone hears the host again (Coaching=false)."""
        coaching = self._coaching.get(conf_sid)
        me = coaching[0] if coaching else self.me(conf_sid)
        if me is None:
            return ActionResult(True)
        coached = self.roster.participant(conf_sid, coaching[1]) if coaching else None
        who = coached.display_name if coached is not None else "them"
        result = await self.lifecycle.run(
            self._coach(ActionKind.STOP_WHISPER, conf_sid, me, None, who)
        )
        if result.ok:
            self._coaching.pop(conf_sid, None)
            self.host_changed.emit(conf_sid)
        return result

    def _coach(
        self, kind: ActionKind, conf_sid: str, me: str, coached: str | None, who: str
    ) -> Action:
        """The host's participant updated (pending on their tile until participant-modify);
        the message names whom they whisper to: "Could not whisper to Alice"."""
        call = coach_call(conf_sid, me, coached)
        return Action(
            kind,
            Target.participant(conf_sid, me),
            who,
            call.send,
            PARTICIPANT,
            params=call.params,
        )

    def _hosts_own(self, conf_sid: str, call_sid: str) -> bool:
        """The call marked as the host's, Call me's call (it may join before Twilio's answer
        has told its SID), or one from the host's phone (Settings)."""
        if call_sid == self.me(conf_sid):
            return True
        participant = self.roster.participant(conf_sid, call_sid)
        if participant is None:
            return False
        if conf_sid in self._calling_me and participant.label == HOST_LABEL:
            return True
        mine, number = self.settings.host_number, participant.number
        return bool(mine and number) and normalise(number or "") == normalise(mine)

    async def _mute_on_entry(self, conf_sid: str, call_sid: str) -> ActionResult:
        """The rule mutes a late joiner, never the host's own call (Call me dials it in late)."""
        if self._hosts_own(conf_sid, call_sid):
            return ActionResult(True)
        return await self._participant(
            ActionKind.MUTE, conf_sid, call_sid, origin=Origin.MUTE_ON_ENTRY
        )

    def _whispered_one_left(self, conf_sid: str, call_sid: str) -> None:
        """The person the host whispers to left (hung up, sent to the waiting room, removed):
        nobody hears the host now. Said once; the whisper is not stopped for them, as everyone
        would then hear what was meant for one."""
        coaching = self.coaching(conf_sid)
        if coaching is None or coaching[1] != call_sid:
            return
        gone = self.roster.participant(conf_sid, call_sid)
        who = gone.display_name if gone is not None else "The person you whisper to"
        self.host_changed.emit(conf_sid)
        self._notify(  # an error stays in the status bar: the host may be talking to no one
            Level.ERROR,
            f"{who} left the meeting: nobody hears your whisper now"
            " (Stop whispering to talk to everyone)",
        )

    async def call_me(self, conf_sid: str) -> ActionResult:
        """Dial the host's number (Settings) into the conference and mark that call as theirs."""
        number = self.settings.host_number
        if not number:
            message = "Could not call you: set your phone number in Settings (Server page)"
            self._notify(Level.ERROR, message)
            return ActionResult(False, message)
        self._calling_me.add(conf_sid)
        try:
            result, call_sid = await self._dial(conf_sid, number, HOST_LABEL)
        finally:
            self._calling_me.discard(conf_sid)
        if result.ok and call_sid is not None:
            self.this_is_me(conf_sid, call_sid)
        return result

    # ---- conference actions ----------------------------------------------------------------

    async def end_conference(self, conf_sid: str) -> ActionResult:
        call = end_conference_call(conf_sid)
        return await self.lifecycle.run(
            self._conference_action(ActionKind.END_CONFERENCE, call, conf_sid)
        )

    async def announce(self, conf_sid: str, url: str, call_sid: str | None = None) -> ActionResult:
        """Play the audio (or TwiML) at `url` to the whole conference or to one participant."""
        call = announce_call(conf_sid, url, call_sid)
        return await self.lifecycle.run(
            self._conference_action(ActionKind.ANNOUNCE, call, conf_sid, call_sid)
        )

    def _conference_action(
        self,
        kind: ActionKind,
        call: RestCall,
        conf_sid: str,
        call_sid: str | None = None,
        *,
        lasts: float = 0.0,
    ) -> Action:
        """End or announce: pending on the conference (the header says so; an announcement to
        one participant marks nothing: their tile's mark is their mute's or hold's) until the
        conference's callbacks settle it."""
        target = Target.participant(conf_sid, call_sid) if call_sid else Target.conference(conf_sid)
        return Action(
            kind,
            target,
            self.lifecycle.who(conf_sid, call_sid),
            call.send,
            ENDING if kind is ActionKind.END_CONFERENCE else ANNOUNCING,
            params=call.params,
            pending=call_sid is None,
            watch=Target.conference(conf_sid),
            lasts=lasts,
        )

    async def announce_text(
        self, conf_sid: str, text: str, call_sid: str | None = None
    ) -> ActionResult:
        """Speak `text` (one line, cut to MAX_ANNOUNCEMENT_CHARS) to everyone, or to `call_sid`
        only; announcement-end confirms it, announcement-fail is told as an error."""
        text = " ".join(text.split())[:MAX_ANNOUNCEMENT_CHARS]
        if not text or self.speak is None:
            message = "Could not announce: " + ("nothing to say" if not text else "no voice")
            self._notify(Level.ERROR, message)
            return ActionResult(False, message)
        url = self.speak(text)
        call = announce_call(conf_sid, url, call_sid, method="POST")
        call = RestCall(call.send, {**call.params, "text": text})
        action = self._conference_action(
            ActionKind.ANNOUNCE, call, conf_sid, call_sid, lasts=speaking_time(text)
        )
        return await self.lifecycle.run(action)

    async def dial_out(self, conf_sid: str, number: str, label: str | None = None) -> ActionResult:
        """Call `number` into the conference from the configured caller ID."""
        result, _call_sid = await self._dial(conf_sid, number, label)
        return result

    async def _dial(
        self, conf_sid: str, number: str, label: str | None
    ) -> tuple[ActionResult, str | None]:
        """A dial-out, and the new call's SID once Twilio answered with it."""
        caller_id = self.settings.caller_id
        who = label or number
        if not caller_id:
            message = f"Could not dial {who}: set a caller ID (a Twilio number) in Settings"
            self._notify(Level.ERROR, message)
            return ActionResult(False, message), None
        call = dial_out_call(
            conf_sid, number, caller_id, label=label, status_callback_url=self.status_callback_url
        )
        action = Action(
            ActionKind.DIAL_OUT,
            Target.conference(conf_sid),
            who,
            call.send,
            DIALLING,
            params=call.params,
            under_way=RING_LIMIT,  # the reconcile may list them ringing that long
        )
        ticket = self.lifecycle.begin(action)
        if isinstance(ticket, ActionResult):
            self._notify(Level.ERROR, ticket.message or "")
            return ticket, None
        result = await self.lifecycle.send(ticket)
        if not result.ok:
            return result, None
        self._notify(Level.INFO, f"Dialling {who}")
        call_sid = getattr(ticket.answer, "call_sid", None)
        return result, str(call_sid) if call_sid else None

    # ---- bulk ------------------------------------------------------------------------------

    async def mute_all(self, conf_sid: str, *, except_presenter: bool = True) -> BulkResult:
        """Mute everyone present (but the presenter), `rest_concurrency` requests at a time."""
        return await self._mute_all(conf_sid, except_presenter=except_presenter, origin=Origin.HOST)

    async def unmute_all(self, conf_sid: str) -> BulkResult:
        targets = unmute_targets(self.roster.participants(conf_sid, present_only=True))
        return await self._bulk(
            ActionKind.UNMUTE, conf_sid, [p.call_sid for p in targets], Origin.HOST
        )

    async def _mute_all(
        self, conf_sid: str, *, except_presenter: bool, origin: Origin
    ) -> BulkResult:
        targets = mute_targets(
            self.roster.participants(conf_sid, present_only=True),
            self.roster.presenter(conf_sid),
            except_presenter=except_presenter,
        )
        if except_presenter:  # nor the host's own call: a muted host whispers to no one
            targets = [p for p in targets if not self._hosts_own(conf_sid, p.call_sid)]
        return await self._bulk(ActionKind.MUTE, conf_sid, [p.call_sid for p in targets], origin)

    async def _bulk(
        self, kind: ActionKind, conf_sid: str, call_sids: list[str], origin: Origin
    ) -> BulkResult:
        actions = [self._participant_action(kind, conf_sid, c, origin) for c in call_sids]
        tickets: list[Ticket | ActionResult] = []
        unsent: dict[int, Ticket] = {}
        try:
            # Every tile turns pending at once; the REST calls then go out in a bounded pool.
            for action in actions:
                ticket = self.lifecycle.begin(action)
                tickets.append(ticket)
                if isinstance(ticket, Ticket):
                    unsent[id(ticket)] = ticket

            async def one(ticket: Ticket | ActionResult) -> ActionResult:
                if isinstance(ticket, ActionResult):
                    return ticket
                del unsent[id(ticket)]
                return await self.lifecycle.send(ticket, quiet=True)

            concurrency = max(1, min(MAX_CONCURRENCY, self.settings.rest_concurrency))
            results = await bounded(tickets, one, concurrency)
            result = tally([a.who for a in actions], results)
        except Exception as exc:
            log.exception("bulk %s failed", kind.value)
            message = f"Could not {kind.verb} everyone: {describe(exc).reason}"
            self._notify(Level.ERROR, message)
            return BulkResult(attempted=len(call_sids), failed=(("everyone", message),))
        finally:
            # Cancelled or crashed midway: tiles still waiting their turn must not stay pending.
            for ticket in unsent.values():
                self.lifecycle.abandon(ticket, "the bulk action was stopped before it was sent")
        conference = self.roster.conference(conf_sid)
        where = conference.friendly_name if conference and conference.friendly_name else conf_sid
        prefix = "Auto-mute: " if origin is Origin.AUTO_MUTE else ""
        level, text = summary(kind.verb.capitalize(), where, result)
        self._notify(level, prefix + text)
        return result

    # ---- reconcile -------------------------------------------------------------------------

    async def reconcile(self, conf_sid: str | None = None) -> None:
        """Merge what Twilio reports into the roster now (one conference, or all live ones)."""
        await self._reconciled(conf_sid)

    async def _reconciled(self, conf_sid: str | None) -> bool:
        """A reconcile; False when Twilio could not be asked (the host is told why)."""
        try:
            done = await self.reconciler.run(conf_sid)
        except Exception as exc:
            failure = describe(exc, subject="conference")
            if failure.reason.startswith("unexpected"):
                log.exception("reconcile failed")
            self._notify(
                Level.ERROR, self._redact(f"Could not reconcile with Twilio: {failure.reason}")
            )
            return False
        self._lookup_numbers(done)
        return True

    def request_reconcile(self, conf_sid: str | None, delay: float | None = None) -> None:
        """Reconcile soon; repeated requests within the debounce window run once."""
        if self._closed or self._tasks.closed or not self.rest.configured:
            return
        wait = self.reconcile_debounce if delay is None else delay
        key = f"reconcile:{conf_sid or '*'}"
        # Only a request still waiting absorbs new ones: once its reconcile has started, it
        # may already have listed what Twilio had, so a later gap needs a run of its own.
        if key in self._reconcile_waiting:
            return
        self._reconcile_waiting.add(key)

        async def later() -> None:
            try:
                await asyncio.sleep(wait)
            finally:
                self._reconcile_waiting.discard(key)
            await self.reconcile(conf_sid)

        self._tasks.spawn(later(), name=key)

    async def settle(self) -> None:
        """Wait for background work now running (reconciles, grace waits, lookups, rule timers)."""
        await self._tasks.join()

    async def _startup_reconcile(self) -> None:
        await self.reconcile(None)

    def _lookup_numbers(self, conf_sids: list[str]) -> None:
        for sid in conf_sids:
            self.numbers.request(
                sid, [p.call_sid for p in self.roster.participants(sid, present_only=True)]
            )

    # ---- plumbing --------------------------------------------------------------------------

    def _on_changes(self, changes: list[Change]) -> None:
        """Roster listener: confirmations, rules, gaps, numbers. Never raises into the roster."""
        try:
            self.lifecycle.on_changes(changes)
            self.rules.on_changes(changes)
            for change in changes:
                if change.kind is ChangeKind.SEQUENCE_GAP:
                    log.info("callback gap in %s: reconciling soon", change.conference_sid)
                    self.request_reconcile(change.conference_sid)
                elif change.kind is ChangeKind.PARTICIPANT_JOINED and change.call_sid:
                    self.numbers.request(change.conference_sid, [change.call_sid])
                elif change.kind is ChangeKind.PARTICIPANT_LEFT and change.call_sid:
                    self._whispered_one_left(change.conference_sid, change.call_sid)
        except Exception:
            log.exception("control could not handle roster changes")

    def _on_mark(self, target: Target) -> None:
        """A conference's mark set or cleared: the header reads `in_flight` again."""
        if target.scope is Scope.CONFERENCE:
            self.host_changed.emit(target.key)

    def _redact(self, text: str) -> str:
        return self.lifecycle.tell.redact(text)

    def _notify(self, level: Level, text: str) -> None:
        self.lifecycle.tell.say(level, text)


# what the header says while the conference's mark is one of these ({who}: the action's)
IN_FLIGHT = {
    ActionKind.END_CONFERENCE: "ending…",
    ActionKind.ANNOUNCE: "announcing…",
    ActionKind.DIAL_OUT: "dialling {who}…",
}


def _offers_the_ui_seam(moderator: Moderator) -> ModeratorService:
    """Never called: mypy checks here that Moderator provides everything the UI may call."""
    return moderator
